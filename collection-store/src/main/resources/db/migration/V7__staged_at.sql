-- When a sync last staged something: a sync whose client vanished is swept after a while, even
-- if that user never syncs again.
alter table sync_staged_graves add column staged_at timestamptz not null default now();
alter table sync_staged_changes add column staged_at timestamptz not null default now();
alter table sync_staged_rows add column staged_at timestamptz not null default now();
