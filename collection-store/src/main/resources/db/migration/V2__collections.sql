-- One row per user that has a collection; an account without a row has never uploaded one.
create table collections (
    user_id bigint  primary key references users (id) on delete cascade,
    crt     bigint  not null, -- creation time, seconds
    mod     bigint  not null, -- modification time, milliseconds
    scm     bigint  not null, -- schema modification time, milliseconds
    usn     integer not null,
    ls      bigint  not null, -- last sync, milliseconds
    ver     integer not null  -- schema version of the uploaded file
);
