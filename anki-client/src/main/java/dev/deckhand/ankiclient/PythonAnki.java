package dev.deckhand.ankiclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where this build put Anki 26.09.3 from PyPI: the virtual environment's Python (made by
 * {@code scripts/anki-venv.sh} in anki-client's {@code generate-resources} phase) and the
 * device driver script beside the sources. Tests start both the 26.x client and the official
 * sync server ({@code python -m anki.syncserver}) with this interpreter.
 */
public final class PythonAnki {

    /** The version the pinned package reports, as {@code anki.buildinfo.version}. */
    public static final String VERSION = "26.09.3";

    private static final Properties PATHS = load();

    private PythonAnki() {}

    /** The virtual environment's {@code bin/python}, which has {@code anki} installed. */
    public static Path python() {
        return existing("python");
    }

    /** {@code anki_device.py}, the child process behind {@link AnkiRelease#ANKI_26_09_3} devices. */
    static Path driver() {
        return existing("driver");
    }

    private static Path existing(String key) {
        Path path = Path.of(PATHS.getProperty(key).strip());
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " is missing; build anki-client (its generate-resources phase makes it)");
        }
        return path;
    }

    private static Properties load() {
        try (InputStream in = PythonAnki.class.getResourceAsStream("python-anki.properties")) {
            if (in == null) {
                throw new IllegalStateException("python-anki.properties is not on the classpath; build anki-client with Maven");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
