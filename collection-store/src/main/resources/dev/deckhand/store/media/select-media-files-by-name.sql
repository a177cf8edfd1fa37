-- The rows of these names (live or deleted) that exist.
select fname, sha1, size, usn from media_files where user_id = :u and fname = any(:names)
