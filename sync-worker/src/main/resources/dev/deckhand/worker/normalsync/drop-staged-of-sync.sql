-- One sync is over (finished or ended): its staged rows go.
with graves as (delete from sync_staged_graves where user_id = :user and epoch = :epoch),
     changes as (delete from sync_staged_changes where user_id = :user and epoch = :epoch)
delete from sync_staged_rows where user_id = :user and epoch = :epoch
