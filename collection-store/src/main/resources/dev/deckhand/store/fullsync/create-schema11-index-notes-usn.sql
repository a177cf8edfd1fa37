-- One of schema 11's indexes, built once the rows are in: faster than keeping it up to date row by row.
create index ix_notes_usn on notes (usn)
