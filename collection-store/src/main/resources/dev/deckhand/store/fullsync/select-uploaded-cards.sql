-- An uploaded file's cards, each column read as BulkTable.CARDS says (its `sqlite` expressions, in order).
select id, cast(nid as integer), cast(did as integer), cast(ord as integer), cast(mod as integer),
       cast(usn as integer), cast(type as integer), cast(queue as integer), cast(due as integer),
       cast(ivl as integer), cast(factor as integer), cast(reps as integer), cast(lapses as integer),
       cast(left as integer), cast(odue as integer), cast(odid as integer), cast(flags as integer), data
from cards
