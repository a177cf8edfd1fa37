-- A full download, as Anki's server does it: the next usn and mod now, and the next sync epoch.
update collections set usn = usn + 1, mod = :now, sync_epoch = sync_epoch + 1
where user_id = :user
returning crt, mod, scm, usn, ls, ver
