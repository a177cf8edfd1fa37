-- Staged cards (BulkTable.CARDS tuples, numbers truncated as Anki does). The incoming card wins
-- unless the stored one changed since the client's last sync and is not older.
-- ("where true" keeps the ON CONFLICT from being read as a join condition.)
insert into cards as t (user_id, id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps,
                        lapses, "left", odue, odid, flags, data)
select :user, trunc((s.t->>0)::numeric)::bigint, trunc((s.t->>1)::numeric)::bigint,
       trunc((s.t->>2)::numeric)::bigint, trunc((s.t->>3)::numeric)::bigint, trunc((s.t->>4)::numeric)::bigint,
       :usn,
       trunc((s.t->>6)::numeric)::bigint, trunc((s.t->>7)::numeric)::bigint, trunc((s.t->>8)::numeric)::bigint,
       trunc((s.t->>9)::numeric)::bigint, trunc((s.t->>10)::numeric)::bigint, trunc((s.t->>11)::numeric)::bigint,
       trunc((s.t->>12)::numeric)::bigint, trunc((s.t->>13)::numeric)::bigint, trunc((s.t->>14)::numeric)::bigint,
       trunc((s.t->>15)::numeric)::bigint, trunc((s.t->>16)::numeric)::bigint, s.t->>17
from (select tuple::jsonb as t from sync_staged_rows
      where user_id = :user and epoch = :epoch and kind = :kind order by id) s
where true
on conflict (user_id, id) do update
set nid = excluded.nid, did = excluded.did, ord = excluded.ord, mod = excluded.mod, usn = excluded.usn,
    type = excluded.type, queue = excluded.queue, due = excluded.due, ivl = excluded.ivl, factor = excluded.factor,
    reps = excluded.reps, lapses = excluded.lapses, "left" = excluded."left", odue = excluded.odue,
    odid = excluded.odid, flags = excluded.flags, data = excluded.data
where t.usn < :min_usn or t.mod < excluded.mod
