-- A user's collection as rows, the way a client's SQLite file holds it. Decks, deck configs and
-- note types are kept as the legacy (schema-11) JSON that normal sync exchanges; unknown keys
-- stay inside it. Every primary key leads with user_id, so a user's rows sit together and the
-- tables can be distributed by user.
--
-- No foreign keys on the bulk tables: a full upload replaces hundreds of thousands of rows in
-- one transaction, and per-row checks would slow it down. CollectionStore.deleteAll removes a
-- user's rows; users.id on delete cascade reaches only `collections`.

create table notes (
    user_id   bigint   not null,
    id        bigint   not null,
    guid      text     not null,
    mid       bigint   not null,
    mod       bigint   not null,
    usn       integer  not null,
    tags      text     not null,
    flds      bytea    not null, -- raw UTF-8 as the client stored it: may hold what text cannot (NUL)
    sfld      text     not null,
    sfld_kind smallint not null, -- SQLite storage class of sfld: 1 integer, 2 real, 3 text
    csum      bigint   not null,
    flags     bigint   not null,
    data      text     not null,
    primary key (user_id, id)
);

create table cards (
    user_id bigint  not null,
    id      bigint  not null,
    nid     bigint  not null,
    did     bigint  not null,
    ord     bigint  not null,
    mod     bigint  not null,
    usn     integer not null,
    type    bigint  not null,
    queue   bigint  not null,
    due     bigint  not null,
    ivl     bigint  not null,
    factor  bigint  not null,
    reps    bigint  not null,
    lapses  bigint  not null,
    "left"  bigint  not null,
    odue    bigint  not null,
    odid    bigint  not null,
    flags   bigint  not null,
    data    text    not null,
    primary key (user_id, id)
);

create table revlog (
    user_id  bigint  not null,
    id       bigint  not null,
    cid      bigint  not null,
    usn      integer not null,
    ease     bigint  not null,
    ivl      bigint  not null,
    last_ivl bigint  not null,
    factor   bigint  not null,
    time     bigint  not null,
    type     bigint  not null,
    primary key (user_id, id)
);

create table graves (
    user_id bigint  not null,
    oid     bigint  not null,
    type    integer not null, -- 0 card, 1 note, 2 deck
    usn     integer not null,
    primary key (user_id, oid, type)
);

create table decks (
    user_id bigint  not null,
    id      bigint  not null,
    name    text    not null, -- with "::" between levels
    mtime   bigint  not null, -- seconds
    usn     integer not null,
    json    text    not null, -- the legacy deck object
    primary key (user_id, id)
);

create table deck_configs (
    user_id bigint  not null,
    id      bigint  not null,
    name    text    not null,
    mtime   bigint  not null,
    usn     integer not null,
    json    text    not null,
    primary key (user_id, id)
);

create table notetypes (
    user_id bigint  not null,
    id      bigint  not null,
    name    text    not null,
    mtime   bigint  not null,
    usn     integer not null,
    json    text    not null, -- with its fields and templates
    primary key (user_id, id)
);

create table tags (
    user_id   bigint  not null,
    tag       text    not null,
    usn       integer not null,
    collapsed boolean not null,
    primary key (user_id, tag)
);

create table config (
    user_id bigint  not null,
    key     text    not null,
    usn     integer not null,
    mtime   bigint  not null,
    value   text    not null, -- compact JSON text of any JSON value
    primary key (user_id, key)
);

-- normal sync looks for rows changed since a usn
create index notes_by_usn on notes (user_id, usn);
create index cards_by_usn on cards (user_id, usn);
create index revlog_by_usn on revlog (user_id, usn);
create index graves_by_usn on graves (user_id, usn);
