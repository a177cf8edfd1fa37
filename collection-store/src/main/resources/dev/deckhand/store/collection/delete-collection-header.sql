delete from collections where user_id = :user
