-- The finished file: self-contained, in rollback-journal mode (not WAL).
pragma journal_mode = delete
