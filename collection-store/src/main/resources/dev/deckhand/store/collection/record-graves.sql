-- Deletions, at the server's usn, so that every device removes the objects on its next sync.
insert into graves (user_id, oid, type, usn)
select :user, g.oid, :type, :usn from unnest(:oids::bigint[]) as g(oid)
on conflict (user_id, oid, type) do update set usn = excluded.usn
