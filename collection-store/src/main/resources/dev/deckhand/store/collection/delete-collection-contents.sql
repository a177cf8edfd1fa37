-- Deletes everything of a user's collection but its header row in `collections`: the content
-- tables and whatever a normal sync has staged. One statement, each table deleted once.
with deleted_notes as (delete from notes where user_id = :user),
     deleted_cards as (delete from cards where user_id = :user),
     deleted_revlog as (delete from revlog where user_id = :user),
     deleted_graves as (delete from graves where user_id = :user),
     deleted_decks as (delete from decks where user_id = :user),
     deleted_deck_configs as (delete from deck_configs where user_id = :user),
     deleted_notetypes as (delete from notetypes where user_id = :user),
     deleted_tags as (delete from tags where user_id = :user),
     deleted_config as (delete from config where user_id = :user),
     deleted_staged_graves as (delete from sync_staged_graves where user_id = :user),
     deleted_staged_changes as (delete from sync_staged_changes where user_id = :user)
delete from sync_staged_rows where user_id = :user
