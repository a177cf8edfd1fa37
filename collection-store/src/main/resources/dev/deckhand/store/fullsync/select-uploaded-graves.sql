-- An uploaded file's graves, in the column order of BulkTable.GRAVES. Schema 11 allows duplicate
-- graves; one of each is kept, with the latest usn.
select oid, type, usn
from (select oid, type, max(usn) as usn from graves group by oid, type)
