-- The applyChanges payload (note types, decks, deck configs, tags, config), staged until finish.
insert into sync_staged_changes (user_id, epoch, changes) values (:user, :epoch, :changes)
on conflict (user_id, epoch) do update set changes = excluded.changes, staged_at = now()
