-- Decks as legacy JSON, with the columns they are looked up by.
copy decks (user_id, id, name, mtime, usn, json) from stdin
