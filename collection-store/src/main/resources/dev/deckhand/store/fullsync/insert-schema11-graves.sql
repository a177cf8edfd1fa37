-- Graves, in the order of BulkTable.GRAVES' file columns (the table itself has usn first).
insert into graves (oid, type, usn) values (?, ?, ?)
