-- The newer side's config replaces all of the other's.
delete from config where user_id = :user
