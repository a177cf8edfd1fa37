package dev.deckhand.worker.http;

import dev.deckhand.worker.normalsync.SyncState;

/**
 * A normal-sync step on the wire between gateway and worker. Payloads travel as JSON text, so
 * that numbers keep their exact form.
 */
record NormalSyncCall(long userId, String sessionKey, String method, SyncState state, String request) {}
