-- Note types as legacy JSON (fields and templates inside), with the columns they are looked up by.
copy notetypes (user_id, id, name, mtime, usn, json) from stdin
