-- Schema 18: deck configs, their settings as a protobuf blob.
select id, name, mtime_secs, usn, config from deck_config
