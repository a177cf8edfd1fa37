-- How many bytes a user's live files hold, for the quota.
select coalesce(sum(size), 0)::bigint as n from media_files where user_id = :u and not deleted
