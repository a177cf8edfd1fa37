-- Notes, in the order of BulkTable.NOTES' file columns (sfld_kind has none: it decides how sfld is
-- bound). flds arrives as raw bytes: the cast stores them as TEXT without re-encoding.
insert into notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)
values (?, ?, ?, ?, ?, ?, cast(? as text), ?, ?, ?, ?)
