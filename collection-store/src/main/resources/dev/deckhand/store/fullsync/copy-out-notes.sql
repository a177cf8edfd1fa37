-- The exported user's notes as COPY text, in the column order of BulkTable.NOTES.
copy (select id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data
      from notes where user_id = current_setting('deckhand.export_user')::bigint
      order by id) to stdout
