-- How many files a user has, deleted names not counted.
select count(*) as n from media_files where user_id = :u and not deleted
