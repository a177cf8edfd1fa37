package dev.deckhand.worker;

import dev.deckhand.worker.normalsync.SyncState;

/**
 * The answer to one normal-sync step: the JSON payload for the client, and the sync's state
 * for the next step ({@code null} once the sync has ended).
 */
public record NormalSyncStep(String answer, SyncState state) {}
