-- Finding whether any live name still uses a blob, before deleting it.
create index media_files_by_sha1 on media_files (user_id, sha1) where not deleted;
