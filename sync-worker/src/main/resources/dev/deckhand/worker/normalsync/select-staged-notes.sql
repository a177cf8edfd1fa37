select tuple from sync_staged_rows where user_id = :user and epoch = :epoch and kind = :kind order by id
