-- Revokes every host key of a user: all its devices must log in again.
delete from host_keys where user_id = (select id from users where username = :u)
