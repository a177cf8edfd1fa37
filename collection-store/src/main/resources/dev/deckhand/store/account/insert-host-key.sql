-- A new host key; only its SHA-256 is stored.
insert into host_keys (user_id, key_hash) values (:id, :hash)
