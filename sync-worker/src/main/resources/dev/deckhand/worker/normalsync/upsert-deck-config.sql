insert into deck_configs (user_id, id, name, mtime, usn, json) values (:user, :id, :name, :mtime, :usn, :json)
on conflict (user_id, id) do update
set name = excluded.name, mtime = excluded.mtime, usn = excluded.usn, json = excluded.json
