-- A user's new password hash; the caller revokes its host keys in the same transaction.
update users set password_hash = :h, updated_at = now() where username = :u
