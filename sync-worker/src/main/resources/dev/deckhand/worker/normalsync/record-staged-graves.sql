-- The client's deletions become the server's graves, at the sync's usn, for the other devices.
insert into graves (user_id, oid, type, usn)
select user_id, oid, type, :usn from sync_staged_graves where user_id = :user and epoch = :epoch
on conflict do nothing
