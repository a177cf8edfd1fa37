-- The exported user's cards as COPY text, in the column order of BulkTable.CARDS.
copy (select id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, "left", odue, odid, flags, data
      from cards where user_id = current_setting('deckhand.export_user')::bigint
      order by id) to stdout
