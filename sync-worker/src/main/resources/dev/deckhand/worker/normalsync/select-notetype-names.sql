-- For the merge of note types: names must stay unique, and the stored shape must not change.
select id, name, mtime, json from notetypes where user_id = :user
