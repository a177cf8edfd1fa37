-- An uploaded file's review log, each column read as BulkTable.REVLOG says (its `sqlite` expressions, in order).
select id, cast(cid as integer), cast(usn as integer), cast(ease as integer), cast(ivl as integer),
       cast(lastIvl as integer), cast(factor as integer), cast(time as integer), cast(type as integer)
from revlog
