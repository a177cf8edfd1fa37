-- Which of these hashes (lowercase hex) some live file of the user still has.
select distinct encode(sha1, 'hex') as h from media_files
where user_id = :u and not deleted
  and sha1 in (select decode(x, 'hex') from unnest(:h::text[]) as x)
