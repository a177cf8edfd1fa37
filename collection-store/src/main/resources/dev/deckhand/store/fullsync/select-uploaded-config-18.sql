-- Schema 18: config entries, each value JSON as bytes.
select key, usn, mtime_secs, val from config
