-- Schema 11: the note types, one JSON map of id to note type in the col row.
select models from col
