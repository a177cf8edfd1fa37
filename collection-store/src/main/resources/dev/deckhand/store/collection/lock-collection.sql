-- The per-user collection lock: held until the transaction ends; every writer of a collection takes it.
select sync_epoch, usn from collections where user_id = :user for update
