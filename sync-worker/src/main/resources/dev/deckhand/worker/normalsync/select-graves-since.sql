-- start's answer: the server's deletions the client has not seen.
select oid, type from graves where user_id = :user and usn >= :min_usn order by type, oid
