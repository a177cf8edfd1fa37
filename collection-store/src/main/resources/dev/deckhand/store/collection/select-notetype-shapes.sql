-- How many fields each note type's notes have, and which one sorts.
select id, json from notetypes where user_id = :user
