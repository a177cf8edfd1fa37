package dev.deckhand.worker.http;

import dev.deckhand.protocol.SyncErrorKind;

/** A protocol failure carried from worker to gateway, so the client gets the same status either way. */
record WorkerError(SyncErrorKind kind, String message) {}
