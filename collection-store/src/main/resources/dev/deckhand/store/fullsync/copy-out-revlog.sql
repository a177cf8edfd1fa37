-- The exported user's review log as COPY text, in the column order of BulkTable.REVLOG.
copy (select id, cid, usn, ease, ivl, last_ivl, factor, time, type
      from revlog where user_id = current_setting('deckhand.export_user')::bigint
      order by id) to stdout
