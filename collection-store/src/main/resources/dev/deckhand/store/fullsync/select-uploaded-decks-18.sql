-- Schema 18: decks, their common and kind-specific settings as protobuf blobs.
select id, name, mtime_secs, usn, common, kind from decks
