-- A user's media usn: the usn of its latest media change, 0 before the first.
select coalesce(max(usn), 0) as usn from media_files where user_id = :id
