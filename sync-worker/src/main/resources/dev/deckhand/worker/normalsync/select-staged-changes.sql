select changes from sync_staged_changes where user_id = :user and epoch = :epoch
