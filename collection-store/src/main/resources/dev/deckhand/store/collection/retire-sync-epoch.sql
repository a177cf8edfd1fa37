-- Ends one sync for good: no later step of it can commit. A newer sync (a later epoch) is left alone.
update collections set sync_epoch = sync_epoch + 1 where user_id = :user and sync_epoch = :epoch
