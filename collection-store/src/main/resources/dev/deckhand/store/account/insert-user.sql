-- A new user with a password hash (PHC string), in the tenant named :t.
insert into users (tenant_id, username, password_hash)
select id, :u, :h from tenants where name = :t
