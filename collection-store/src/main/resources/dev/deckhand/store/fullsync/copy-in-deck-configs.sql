-- Deck configs (presets) as legacy JSON, with the columns they are looked up by.
copy deck_configs (user_id, id, name, mtime, usn, json) from stdin
