-- Merge, first: what the client deleted goes.
delete from decks t using sync_staged_graves g
where g.user_id = :user and g.epoch = :epoch and g.type = :grave_kind and t.user_id = :user and t.id = g.oid
