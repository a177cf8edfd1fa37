package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;

import static org.assertj.core.api.Assertions.assertThat;

/** Two devices on one account made equal the way a user does it: A uploads, B downloads. */
record DevicesInSync(SyncCredentials authA, SyncCredentials authB) {

    /** {@code a} holds the collection; {@code b} is empty. Both end logged in and in sync. */
    static DevicesInSync of(AnkiDevice a, AnkiDevice b, String endpoint, String user, String password) {
        SyncCredentials authA = a.login(endpoint, user, password);
        assertThat(a.syncCollection(authA).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
        a.fullUpload(authA);
        SyncCredentials authB = b.login(endpoint, user, password);
        assertThat(b.syncCollection(authB).required()).isEqualTo(SyncRequired.FULL_DOWNLOAD);
        b.fullDownload(authB);
        return new DevicesInSync(authA, authB);
    }
}
