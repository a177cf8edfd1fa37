select tag from tags where user_id = :user and usn >= :min_usn order by tag
