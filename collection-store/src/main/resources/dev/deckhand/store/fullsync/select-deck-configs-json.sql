-- A user's deck configs as legacy JSON, for the col row's `dconf` map.
select id, json from deck_configs where user_id = ? order by id
