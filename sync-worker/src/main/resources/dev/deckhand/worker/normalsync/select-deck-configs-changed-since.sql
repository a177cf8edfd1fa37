select json from deck_configs where user_id = :user and usn >= :min_usn order by id
