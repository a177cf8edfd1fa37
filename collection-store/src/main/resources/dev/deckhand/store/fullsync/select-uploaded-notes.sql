-- An uploaded file's notes, each column read as BulkTable.NOTES says (its `sqlite` expressions, in
-- order): numbers cast, since SQLite may hold them as text or real; the sort field as stored,
-- with its storage class beside it.
select id, guid, cast(mid as integer), cast(mod as integer), cast(usn as integer), tags, flds,
       sfld, typeof(sfld), cast(csum as integer), cast(flags as integer), data
from notes
