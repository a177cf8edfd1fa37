-- The col row: schema 11, not dirty; the JSON columns are JSON objects as text.
insert into col (id, crt, mod, scm, ver, dty, usn, ls, conf, models, decks, dconf, tags)
values (1, ?, ?, ?, 11, 0, ?, ?, ?, ?, ?, ?, ?)
