select id, name, mtime from decks where user_id = :user
