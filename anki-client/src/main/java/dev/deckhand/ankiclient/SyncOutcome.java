package dev.deckhand.ankiclient;

import java.util.Objects;
import java.util.Optional;

/**
 * Result of {@link AnkiDevice#syncCollection(SyncCredentials)}.
 *
 * @param required      what the sync did, or which full sync it asks for
 * @param serverMessage text the server asked the client to show (empty when none)
 * @param newEndpoint   endpoint the server told the client to use from now on, if any; the real
 *                      client stores it and uses it for every later request
 */
public record SyncOutcome(SyncRequired required, String serverMessage, Optional<String> newEndpoint) {

    public SyncOutcome {
        Objects.requireNonNull(required, "required");
        Objects.requireNonNull(serverMessage, "serverMessage");
        Objects.requireNonNull(newEndpoint, "newEndpoint");
    }

    /** The credentials the real client would use after this sync (new endpoint applied). */
    public SyncCredentials nextCredentials(SyncCredentials used) {
        return newEndpoint.map(used::withEndpoint).orElse(used);
    }
}
