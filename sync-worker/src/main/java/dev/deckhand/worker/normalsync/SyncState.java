package dev.deckhand.worker.normalsync;

/**
 * What one normal sync must remember between requests, kept by the gateway's session store
 * and handed to whichever worker serves the next step.
 *
 * @param epoch        this sync's fencing token: finish commits only if it is still the user's latest
 * @param serverUsn    the collection's usn when the sync started; everything it writes gets it
 * @param minUsn       the client's usn at its last sync: server rows with usn ≥ this are news to it
 * @param lnewer       the client's collection is newer, so the client sends the config
 * @param chunkTable   where outgoing chunks have got to
 * @param chunkAfterId the last id sent from {@code chunkTable}
 */
public record SyncState(long epoch, int serverUsn, int minUsn, boolean lnewer, ChunkTable chunkTable, long chunkAfterId) {

    SyncState chunkedUpTo(ChunkTable table, long afterId) {
        return new SyncState(epoch, serverUsn, minUsn, lnewer, table, afterId);
    }
}
