-- Of the blobs given as (tenant, user, sha1 in hex), those that nothing needs: their user is
-- gone (or belongs to another tenant, so no name of it reads this blob), or no live index row
-- of the user has that content. owner_exists tells the two apart.
select c.tenant_id, c.user_id, c.sha1, u.id is not null as owner_exists
from unnest(:tenants::bigint[], :users::bigint[], :sha1s::text[]) as c (tenant_id, user_id, sha1)
left join users u on u.id = c.user_id and u.tenant_id = c.tenant_id
where u.id is null
   or not exists (select 1 from media_files f
                  where f.user_id = c.user_id and not f.deleted and f.sha1 = decode(c.sha1, 'hex'))
