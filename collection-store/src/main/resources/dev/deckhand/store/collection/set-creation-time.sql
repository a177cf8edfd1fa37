update collections set crt = :crt where user_id = :user
