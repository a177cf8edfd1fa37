-- A full upload: the file's header becomes the collection's, and the next sync epoch fences off
-- any normal sync begun before it.
insert into collections (user_id, crt, mod, scm, usn, ls, ver)
values (:user, :crt, :mod, :scm, :usn, :ls, :ver)
on conflict (user_id) do update
set crt = excluded.crt, mod = excluded.mod, scm = excluded.scm, usn = excluded.usn, ls = excluded.ls,
    ver = excluded.ver, sync_epoch = collections.sync_epoch + 1
