-- A card of an uploaded file whose note is missing, if there is one.
select id from cards where nid not in (select id from notes) limit 1
