-- A collection's tags.
copy tags (user_id, tag, usn, collapsed) from stdin
