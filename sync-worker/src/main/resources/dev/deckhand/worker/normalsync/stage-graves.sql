-- The client's deletions (start, applyGraves), staged until finish merges them.
insert into sync_staged_graves (user_id, epoch, oid, type)
select :user, :epoch, g.oid, g.type from unnest(:oids::bigint[], :types::integer[]) as g(oid, type)
on conflict do nothing
