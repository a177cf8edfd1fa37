package dev.deckhand.compat.official;

import dev.deckhand.ankiclient.PythonAnki;
import dev.deckhand.protocol.SyncJson;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A collection file as Anki {@value PythonAnki#VERSION} writes it (schema 18), made by that Anki
 * itself: one Basic note, nothing pending, usn 1, as a client has it just before a full upload.
 * Both servers get these same bytes, so that what they answer later can be compared.
 *
 * @param file  the SQLite file's bytes
 * @param basic the id of its Basic note type
 * @param note  the id of its one note
 * @param card  the id of that note's card
 * @param usn   the collection's usn
 * @param notetypes   how many note types it has, as {@code sanityCheck2} counts them
 * @param decks       how many decks
 * @param deckConfigs how many deck configs
 */
record ClientCollection(byte[] file, long basic, long note, long card, int usn, int notetypes, int decks, int deckConfigs) {

    static ClientCollection make(Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        Path file = folder.resolve("client.anki2");
        Files.deleteIfExists(file);
        String script;
        try (InputStream in = ClientCollection.class.getResourceAsStream("client_collection.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path log = folder.resolve("client_collection.log");
        Process python = new ProcessBuilder(List.of(PythonAnki.python().toString(), "-c", script, file.toString()))
                .redirectError(log.toFile()).start();
        python.getOutputStream().close();
        byte[] out = python.getInputStream().readAllBytes();
        if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
            python.destroyForcibly();
            throw new IllegalStateException("Anki could not make the collection; see " + log);
        }
        JsonNode facts = SyncJson.mapper().readTree(out);
        return new ClientCollection(Files.readAllBytes(file), facts.get("basic").asLong(), facts.get("note").asLong(),
                facts.get("card").asLong(), facts.get("usn").asInt(), facts.get("notetypes").asInt(),
                facts.get("decks").asInt(), facts.get("deckConfigs").asInt());
    }
}
