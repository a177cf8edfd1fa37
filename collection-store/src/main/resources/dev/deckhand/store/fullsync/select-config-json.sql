-- A user's config entries (values are JSON text), for the col row's `conf` object.
select key, value from config where user_id = ? order by key
