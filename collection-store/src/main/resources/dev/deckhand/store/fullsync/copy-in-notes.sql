-- An upload's notes, as COPY text (the columns of BulkTable.NOTES after user_id).
copy notes (user_id, id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data) from stdin
