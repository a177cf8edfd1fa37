-- Accounts: tenants own users; users log in with a password and then use host keys.

create table tenants (
    id         bigint generated always as identity primary key,
    name       text        not null unique,
    created_at timestamptz not null default now()
);

-- Users from SYNC_USERn and the CLI belong to this tenant.
insert into tenants (name) values ('default');

-- Usernames are unique across tenants: a client logs in with a username alone.
create table users (
    id            bigint generated always as identity primary key,
    tenant_id     bigint      not null references tenants (id),
    username      text        not null unique,
    password_hash text        not null, -- PHC string: $argon2id$... or $pbkdf2-sha256$...
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- Only a SHA-256 of each key is stored; the key itself is shown to the client once.
create table host_keys (
    user_id      bigint      not null references users (id) on delete cascade,
    key_hash     bytea       not null,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    primary key (user_id, key_hash)
);
