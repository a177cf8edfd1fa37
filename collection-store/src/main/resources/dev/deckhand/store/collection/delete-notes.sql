delete from notes where user_id = :user and id = any(:ids::bigint[]) returning id
