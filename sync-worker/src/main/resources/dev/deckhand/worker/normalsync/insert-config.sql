insert into config (user_id, key, usn, mtime, value) values (:user, :key, :usn, :mtime, :value)
