-- A new sync begins: whatever older syncs of the user staged can never be merged.
with graves as (delete from sync_staged_graves where user_id = :user and epoch < :epoch),
     changes as (delete from sync_staged_changes where user_id = :user and epoch < :epoch)
delete from sync_staged_rows where user_id = :user and epoch < :epoch
