package dev.deckhand.compat.client;

import dev.deckhand.ankiclient.AnkiRelease;

/** The device contract on Anki 2.1.66's backend in this JVM. */
class Anki2166DeviceTest extends AnkiDeviceContract {

    @Override
    AnkiRelease release() {
        return AnkiRelease.ANKI_2_1_66;
    }
}
