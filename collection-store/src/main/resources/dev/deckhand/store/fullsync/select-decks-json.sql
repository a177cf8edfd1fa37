-- A user's decks as legacy JSON, for the col row's `decks` map.
select id, json from decks where user_id = ? order by id
