-- applyChunk rows as the client sent them (checked JSON tuples); the last one sent for an id wins.
insert into sync_staged_rows (user_id, epoch, kind, id, tuple)
select :user, :epoch, r.kind, r.id, r.tuple
from unnest(:kinds::smallint[], :ids::bigint[], :tuples::text[]) as r(kind, id, tuple)
on conflict (user_id, epoch, kind, id) do update set tuple = excluded.tuple, staged_at = now()
