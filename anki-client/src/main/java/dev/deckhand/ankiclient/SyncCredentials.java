package dev.deckhand.ankiclient;

import java.util.Objects;

/**
 * What a client keeps after logging in: the host key the server issued and the endpoint it
 * talks to. Pass it to every sync call, as the real client does.
 *
 * @param hostKey  the {@code hkey} returned by the server's login
 * @param endpoint base URL of the sync server, ending with {@code /}
 */
public record SyncCredentials(String hostKey, String endpoint) {

    public SyncCredentials {
        Objects.requireNonNull(hostKey, "hostKey");
        AnkiDevice.requireEndpoint(endpoint);
    }

    /** The same host key against another endpoint (e.g. after the server redirected the client). */
    public SyncCredentials withEndpoint(String newEndpoint) {
        return new SyncCredentials(hostKey, newEndpoint);
    }
}
