-- Schema 11: the collection's config, one JSON object in the col row.
select conf from col
