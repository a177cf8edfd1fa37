-- Schema 18: note types, their settings as a protobuf blob (fields and templates in their own tables).
select id, name, mtime_secs, usn, config from notetypes
