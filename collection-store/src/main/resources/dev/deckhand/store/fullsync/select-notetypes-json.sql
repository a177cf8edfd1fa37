-- A user's note types as legacy JSON, for the col row's `models` map.
select id, json from notetypes where user_id = ? order by id
