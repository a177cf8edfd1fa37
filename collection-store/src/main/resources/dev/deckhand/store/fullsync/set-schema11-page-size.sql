-- The page size Anki's own files use.
pragma page_size = 4096
