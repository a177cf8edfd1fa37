package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.BulkTable;

/** The kinds of row a client sends in {@code applyChunk}; {@link #code} is {@code sync_staged_rows.kind}. */
enum RowKind {
    REVLOG(0, BulkTable.REVLOG),
    CARD(1, BulkTable.CARDS),
    NOTE(2, BulkTable.NOTES);

    final short code;
    final BulkTable table;

    RowKind(int code, BulkTable table) {
        this.code = (short) code;
        this.table = table;
    }
}
