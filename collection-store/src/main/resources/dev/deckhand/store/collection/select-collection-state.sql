-- What meta reports: the header, and whether the collection has cards.
select header.mod, header.scm, header.usn,
       not exists (select 1 from cards where cards.user_id = header.user_id) as empty
from collections header where header.user_id = :user
