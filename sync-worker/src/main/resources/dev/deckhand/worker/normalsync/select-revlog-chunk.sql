-- The next revlog rows the client has not seen, in the wire order of BulkTable.REVLOG.
select id, cid, usn, ease, ivl, last_ivl, factor, time, type from revlog
where user_id = :user and usn >= :min_usn and id > :after_id
order by id limit :limit
