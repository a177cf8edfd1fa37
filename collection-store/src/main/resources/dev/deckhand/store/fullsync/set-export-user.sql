-- Names the user whose collection this transaction exports, for the COPY statements (which take
-- no bind parameters). Local to the transaction: it ends with it.
select set_config('deckhand.export_user', ?, true)
