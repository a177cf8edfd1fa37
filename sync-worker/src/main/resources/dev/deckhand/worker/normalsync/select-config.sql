select key, value from config where user_id = :user order by key
