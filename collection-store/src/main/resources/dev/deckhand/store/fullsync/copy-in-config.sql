-- A collection's config entries, each value compact JSON text.
copy config (user_id, key, usn, mtime, value) from stdin
