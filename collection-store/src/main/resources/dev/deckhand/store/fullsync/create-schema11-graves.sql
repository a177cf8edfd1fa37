-- Schema 11's graves table, usn first as in Anki's own files.
create table graves (usn integer not null, oid integer not null, type integer not null)
