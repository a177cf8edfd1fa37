-- Review log entries, in the order of BulkTable.REVLOG's file columns.
insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
values (?, ?, ?, ?, ?, ?, ?, ?, ?)
