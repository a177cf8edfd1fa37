-- Schema 18: tags, with their usn and whether the browser shows them collapsed.
select tag, usn, collapsed from tags
