-- An upload's cards, as COPY text (the columns of BulkTable.CARDS after user_id).
copy cards (user_id, id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, "left", odue, odid,
            flags, data) from stdin
