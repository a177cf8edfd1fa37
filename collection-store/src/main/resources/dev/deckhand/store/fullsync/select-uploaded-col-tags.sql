-- Schema 11: the tags, one JSON map of tag to usn in the col row.
select tags from col
