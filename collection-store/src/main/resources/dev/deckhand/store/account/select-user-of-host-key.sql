-- The user a host key belongs to. The key names its user, so the lookup stays in that user's rows.
select u.id, u.tenant_id, u.username
from host_keys k join users u on u.id = k.user_id
where k.user_id = :id and k.key_hash = :hash
