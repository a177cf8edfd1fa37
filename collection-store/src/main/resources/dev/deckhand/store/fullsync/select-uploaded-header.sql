-- The scalar columns of an uploaded file's col row; ver is the schema (11 and 18 are read).
select crt, mod, scm, usn, ls, ver from col
