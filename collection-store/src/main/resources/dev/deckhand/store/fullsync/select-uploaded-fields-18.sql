-- Schema 18: the fields of every note type, their settings as protobuf blobs.
select ntid, ord, name, config from fields
