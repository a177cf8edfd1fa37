-- The sanity check's counts, as the client counts its own collection.
select (select count(*) from cards where user_id = :user) as cards,
       (select count(*) from notes where user_id = :user) as notes,
       (select count(*) from revlog where user_id = :user) as revlog,
       (select count(*) from notetypes where user_id = :user) as notetypes,
       (select count(*) from decks where user_id = :user) as decks,
       (select count(*) from deck_configs where user_id = :user) as deck_configs
