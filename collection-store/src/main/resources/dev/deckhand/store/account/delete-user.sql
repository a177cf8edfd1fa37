-- Deletes one user; its host keys go with it (on delete cascade). The caller has deleted the
-- user's collection in the same transaction.
delete from users where id = :id
