-- Deletes one user; its host keys and its media index go with it (on delete cascade).
-- Returns the user's tenant: the user's media blobs are stored under it.
delete from users where id = :id returning tenant_id
