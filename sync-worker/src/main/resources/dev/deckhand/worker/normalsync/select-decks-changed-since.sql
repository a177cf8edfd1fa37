-- Decks the client deleted in this sync are not sent back to it.
select json from decks t
where user_id = :user and usn >= :min_usn
  and not exists (select 1 from sync_staged_graves g
                  where g.user_id = t.user_id and g.epoch = :epoch and g.type = :deck_grave and g.oid = t.id)
order by id
