-- Schema 11: the deck configs, one JSON map of id to deck config in the col row.
select dconf from col
