-- The names changed after usn :after, oldest change first, at most :limit of them; a deleted
-- name has no sha1.
select fname, sha1, size, usn from media_files
where user_id = :u and usn > :after
order by usn
limit :limit
