-- An upload's review log, as COPY text (the columns of BulkTable.REVLOG after user_id).
copy revlog (user_id, id, cid, usn, ease, ivl, last_ivl, factor, time, type) from stdin
