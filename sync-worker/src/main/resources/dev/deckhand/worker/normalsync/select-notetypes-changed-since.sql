select json from notetypes where user_id = :user and usn >= :min_usn order by id
