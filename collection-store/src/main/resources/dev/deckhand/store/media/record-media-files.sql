-- Records each file's new content, or its deletion when its sha1 is '', in one statement; the
-- names must differ. A deletion keeps no hash: nothing may find its old blob through it.
insert into media_files (user_id, fname, sha1, size, usn, deleted)
select :u, f.name, decode(nullif(f.sha1, ''), 'hex'), f.size, f.usn, f.sha1 = ''
from unnest(:names::text[], :sha1s::text[], :sizes::bigint[], :usns::integer[]) as f(name, sha1, size, usn)
on conflict (user_id, fname) do update
set sha1 = excluded.sha1, size = excluded.size, usn = excluded.usn, deleted = excluded.deleted
