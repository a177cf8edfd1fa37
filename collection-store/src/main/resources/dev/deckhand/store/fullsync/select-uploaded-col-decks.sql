-- Schema 11: the decks, one JSON map of id to deck in the col row.
select decks from col
