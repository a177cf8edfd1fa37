-- One user as the admin tools list it (the columns of select-users.sql).
select u.id, t.name as tenant, u.username, u.created_at,
       (select count(*) from host_keys k where k.user_id = u.id) as host_keys
from users u join tenants t on t.id = u.tenant_id
where u.username = :u
