-- Syncs that have staged nothing for :idle_seconds: their clients are gone.
select user_id, epoch from (
    select user_id, epoch, staged_at from sync_staged_graves
    union all select user_id, epoch, staged_at from sync_staged_changes
    union all select user_id, epoch, staged_at from sync_staged_rows) s
group by user_id, epoch
having max(staged_at) < now() - make_interval(secs => :idle_seconds)
