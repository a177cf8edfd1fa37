-- What meta reports: the header, and whether the collection has cards.
select mod, scm, usn, not exists (select 1 from cards where user_id = :user) as empty
from collections where user_id = :user
