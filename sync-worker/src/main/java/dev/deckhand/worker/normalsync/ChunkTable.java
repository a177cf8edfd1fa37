package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.BulkTable;

/** Where a sync's outgoing chunks have got to: the tables in the order the server sends them, then done. */
public enum ChunkTable {
    REVLOG(BulkTable.REVLOG),
    CARDS(BulkTable.CARDS),
    NOTES(BulkTable.NOTES),
    DONE(null);

    /** The table whose rows are sent, none once done. */
    public final BulkTable table;

    ChunkTable(BulkTable table) {
        this.table = table;
    }

    /** The table after this one. */
    public ChunkTable next() {
        return this == DONE ? DONE : values()[ordinal() + 1];
    }
}
