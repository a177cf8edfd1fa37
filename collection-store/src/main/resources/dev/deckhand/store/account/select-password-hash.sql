-- The stored password hash (PHC string) of the user with this name.
select password_hash from users where username = :u
