-- Normal sync: what a client sends is staged here, per user and sync, and merged into the live
-- tables in one transaction at finish. A sync that never finishes leaves only staged rows.

-- Every normal sync and full sync takes the next epoch; finish commits only if its epoch is
-- still the user's latest, so a sync that another one replaced can never write.
alter table collections add column sync_epoch bigint not null default 0;

create table sync_staged_graves (
    user_id bigint  not null,
    epoch   bigint  not null,
    oid     bigint  not null,
    type    integer not null, -- 0 card, 1 note, 2 deck
    primary key (user_id, epoch, oid, type)
);

-- the applyChanges payload: note types, decks, deck configs, tags, and config when sent
create table sync_staged_changes (
    user_id bigint not null,
    epoch   bigint not null,
    changes text   not null,
    primary key (user_id, epoch)
);

-- applyChunk rows as the client sent them (JSON tuples)
create table sync_staged_rows (
    user_id bigint   not null,
    epoch   bigint   not null,
    kind    smallint not null, -- 0 revlog, 1 card, 2 note
    id      bigint   not null,
    tuple   text     not null,
    primary key (user_id, epoch, kind, id)
);
