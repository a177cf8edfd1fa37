package dev.deckhand.compat.official;

import dev.deckhand.protocol.SyncJson;
import dev.deckhand.testsupport.RawSyncClient.Response;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * What a client takes from a successful answer, as text two servers' answers can be compared by.
 * Values a client does not compare and that cannot agree between two servers (the time, host
 * keys) are replaced by a word saying what they are.
 */
@FunctionalInterface
interface Visible {

    String of(Response answer, Side side);

    /** Only the status counts (a client never reads the body). */
    Visible NOTHING = (answer, side) -> "";

    /** The payload as text ({@code upload}'s {@code OK} or the message the client shows). */
    Visible TEXT = (answer, side) -> answer.payload();

    /** The body as it came, not unpacked (an answer that is not zstd). */
    Visible BODY = (answer, side) -> answer.text();

    /** The JSON payload, keys sorted. */
    Visible JSON = json((json, side) -> json);

    /** A downloaded collection: only whether it is an SQLite file (the two servers write different schemas). */
    Visible COLLECTION = (answer, side) -> {
        byte[] file = answer.payloadBytes();
        byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
        return file.length >= magic.length && Arrays.equals(file, 0, magic.length, magic, 0, magic.length)
                ? "an SQLite file" : "not an SQLite file";
    };

    /** A {@code downloadFiles} zip: its {@code _meta} and its files' SHA-1s. */
    Visible ZIP = (answer, side) -> MediaZip.describe(answer.payloadBytes());

    /** The JSON payload after {@code edit}, which may change the tree in place. */
    static Visible json(BiFunction<JsonNode, Side, JsonNode> edit) {
        return (answer, side) -> Canonical.json(edit.apply(SyncJson.mapper().readTree(answer.payloadBytes()), side));
    }

    /** A number of milliseconds that should be now, such as {@code finish}'s answer. */
    Visible NOW_MILLIS = (answer, side) -> aboutNow(SyncJson.mapper().readTree(answer.payloadBytes()), 1000);

    /** {@code "≈now"} for a number within a minute of now in the given unit (1000: milliseconds), else the number. */
    static String aboutNow(JsonNode number, long perSecond) {
        if (!number.isIntegralNumber()) {
            return number.toString();
        }
        long seconds = number.asLong() / perSecond;
        return Math.abs(seconds - System.currentTimeMillis() / 1000) <= 60 ? "≈now" : number.toString();
    }
}
