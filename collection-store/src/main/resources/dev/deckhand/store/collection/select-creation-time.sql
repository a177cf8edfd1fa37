select crt from collections where user_id = :user
