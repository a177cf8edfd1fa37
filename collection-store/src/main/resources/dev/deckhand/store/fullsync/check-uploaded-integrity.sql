-- SQLite's own check of the whole file: one row "ok", or a row per problem.
pragma integrity_check
