-- A writer other than sync changed the collection: devices see a newer mod and sync.
update collections set mod = :now where user_id = :user
