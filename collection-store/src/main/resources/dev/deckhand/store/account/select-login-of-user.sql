-- What a login checks: the user's id and password hash (PHC string).
select id, password_hash from users where username = :u
