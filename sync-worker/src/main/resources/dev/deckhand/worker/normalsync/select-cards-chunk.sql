-- The next cards the client has not seen, in the wire order of BulkTable.CARDS; not those it deleted in this sync.
select id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, "left", odue, odid, flags, data
from cards t
where t.user_id = :user and t.usn >= :min_usn and t.id > :after_id
  and not exists (select 1 from sync_staged_graves g
                  where g.user_id = t.user_id and g.epoch = :epoch and g.type = :grave_kind and g.oid = t.id)
order by t.id limit :limit
