-- A new collection for an account that never had one; another request that made one first wins.
insert into collections (user_id, crt, mod, scm, usn, ls, ver)
values (:user, :crt, :mod, :scm, :usn, :ls, :ver)
on conflict (user_id) do nothing
