delete from cards where user_id = :user and nid = any(:note_ids::bigint[]) returning id
