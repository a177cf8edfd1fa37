-- A normal sync commits: the next usn, and the time of this sync as last sync and modification.
update collections set usn = usn + 1, ls = :now, mod = :now where user_id = :user
