-- Schema 18: the card templates of every note type, their settings as protobuf blobs.
select ntid, ord, name, mtime_secs, usn, config from templates
