-- A normal sync begins: it takes the next epoch, which fences off every older sync of this user.
update collections set sync_epoch = sync_epoch + 1
where user_id = :user
returning sync_epoch, usn
