delete from cards where user_id = :user and id = any(:ids::bigint[]) returning id
