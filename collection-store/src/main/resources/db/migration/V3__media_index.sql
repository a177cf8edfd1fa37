-- The media index: one row per file name a user ever had; bytes live in the blob store.
create table media_files (
    user_id  bigint  not null references users (id) on delete cascade,
    fname    text    not null,
    sha1     bytea,            -- null when deleted
    size     bigint  not null default 0,
    usn      integer not null,
    deleted  boolean not null default false,
    primary key (user_id, fname)
);

create index media_files_by_usn on media_files (user_id, usn);
