-- The exported user's graves as COPY text, in the column order of BulkTable.GRAVES.
copy (select oid, type, usn
      from graves where user_id = current_setting('deckhand.export_user')::bigint
      order by oid, type) to stdout
