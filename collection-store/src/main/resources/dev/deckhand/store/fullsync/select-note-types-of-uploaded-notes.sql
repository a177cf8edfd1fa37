-- Every note type an uploaded file's notes use: each must exist.
select distinct mid from notes
