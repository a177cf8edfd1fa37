select id, name, mtime from deck_configs where user_id = :user
