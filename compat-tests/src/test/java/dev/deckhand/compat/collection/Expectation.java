package dev.deckhand.compat.collection;

import java.util.Set;
import java.util.function.Predicate;
import org.json.JSONObject;

/**
 * Something a change on one device should make true of every device once they have synced: a
 * predicate on one {@link CollectionDigest} entry (given as JSON, or {@code null} when the entry
 * is absent).
 *
 * @param kind        what sort of change made it (for counting which kinds a test verified)
 * @param digestKey   the entry it is about, e.g. {@code card <guid> #0}
 * @param objects     what it depends on ({@code note:<guid>}, {@code card:<guid> #<ord>},
 *                    {@code deck:<name>}, {@code notetype:<name>}): a change by the other device to
 *                    any of them may rightly override it, by the protocol's conflict rules
 * @param description for failure messages
 */
public record Expectation(String kind, String digestKey, Set<String> objects, String description,
        Predicate<JSONObject> holds) {

    /** Whether the digest's entry satisfies it. */
    public boolean heldBy(CollectionDigest digest) {
        String value = digest.entries().get(digestKey);
        return holds.test(value == null ? null : value.startsWith("{") ? new JSONObject(value) : new JSONObject());
    }

    @Override
    public String toString() {
        return kind + ": " + description + " [" + digestKey + "]";
    }
}
