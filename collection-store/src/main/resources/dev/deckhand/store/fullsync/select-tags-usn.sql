-- A user's tags with their usn, for the col row's `tags` object.
select tag, usn from tags where user_id = ? order by tag
