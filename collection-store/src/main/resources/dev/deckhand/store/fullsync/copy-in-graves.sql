-- An upload's graves, as COPY text (the columns of BulkTable.GRAVES after user_id).
copy graves (user_id, oid, type, usn) from stdin
