-- Staged revlog rows (BulkTable.REVLOG tuples, numbers truncated as Anki does) that are new; a review never changes.
insert into revlog (user_id, id, cid, usn, ease, ivl, last_ivl, factor, time, type)
select :user, trunc((s.t->>0)::numeric)::bigint, trunc((s.t->>1)::numeric)::bigint, :usn,
       trunc((s.t->>3)::numeric)::bigint, trunc((s.t->>4)::numeric)::bigint, trunc((s.t->>5)::numeric)::bigint,
       trunc((s.t->>6)::numeric)::bigint, trunc((s.t->>7)::numeric)::bigint, trunc((s.t->>8)::numeric)::bigint
from (select tuple::jsonb as t from sync_staged_rows
      where user_id = :user and epoch = :epoch and kind = :kind order by id) s
on conflict do nothing
