-- Up to 500 checked notes with their computed sort field and checksum (flds as hex: a text array
-- could not carry a NUL). The incoming note wins unless the stored one changed since the client's
-- last sync (its usn is at least :min_usn) and is not older.
insert into notes as t (user_id, id, guid, mid, mod, usn, tags, flds, sfld, sfld_kind, csum, flags, data)
select :user, n.id, n.guid, n.mid, n.mod, :usn, n.tags, decode(n.flds, 'hex'), n.sfld, 3, n.csum, n.flags, n.data
from unnest(:ids::bigint[], :guids::text[], :mids::bigint[], :mods::bigint[], :tags::text[],
            :flds::text[], :sflds::text[], :csums::bigint[], :flags::bigint[], :data::text[])
     as n(id, guid, mid, mod, tags, flds, sfld, csum, flags, data)
on conflict (user_id, id) do update
set guid = excluded.guid, mid = excluded.mid, mod = excluded.mod, usn = excluded.usn, tags = excluded.tags,
    flds = excluded.flds, sfld = excluded.sfld, sfld_kind = excluded.sfld_kind, csum = excluded.csum,
    flags = excluded.flags, data = excluded.data
where t.usn < :min_usn or t.mod < excluded.mod
