package dev.deckhand.compat.client;

import dev.deckhand.ankiclient.AnkiRelease;

/** The device contract on Anki 26.09.3 (PyPI's anki) in a child process. */
class Anki26DeviceTest extends AnkiDeviceContract {

    @Override
    AnkiRelease release() {
        return AnkiRelease.ANKI_26_09_3;
    }
}
