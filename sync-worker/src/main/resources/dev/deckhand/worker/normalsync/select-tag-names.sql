select tag from tags where user_id = :user
