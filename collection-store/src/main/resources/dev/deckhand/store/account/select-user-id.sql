-- The id of the user with this name.
select id from users where username = :u
