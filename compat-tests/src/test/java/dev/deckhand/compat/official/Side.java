package dev.deckhand.compat.official;

import dev.deckhand.protocol.AnkiHeaders;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.RawSyncClient.Response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the two servers as the differential cases talk to it: a raw protocol client, the host
 * keys of its users, and a record of what each step of the running case got.
 */
final class Side {

    /** One request of a case and what the client took from its answer. */
    record Step(String name, int status, String visible) {}

    /** A case's requests; run once against each server. */
    @FunctionalInterface
    interface Script {
        void run(Side side) throws Exception;
    }

    private final String name;
    private final RawSyncClient client;
    private final Map<String, String> passwords;
    private final Map<String, String> keys = new HashMap<>();
    private List<Step> steps = new ArrayList<>();

    /** @param client one of {@link RawSyncClient#forAnkisServer} and {@link RawSyncClient#withConnectionPerRequest} */
    Side(String name, RawSyncClient client, Map<String, String> passwords) {
        this.name = name;
        this.client = client;
        this.passwords = passwords;
    }

    String name() {
        return name;
    }

    /** Runs {@code script} and returns its steps. */
    List<Step> run(Script script) throws Exception {
        steps = new ArrayList<>();
        script.run(this);
        return List.copyOf(steps);
    }

    /** The host key of {@code user}, from one login; not a step (logins have cases of their own). */
    String key(String user) {
        return keys.computeIfAbsent(user, u -> {
            Response login = client.call("sync/hostKey", "", hostKeyRequest(u, passwords.get(u)));
            if (login.status() != 200) {
                throw new IllegalStateException(name + " refused the login of " + u + " with " + login.status());
            }
            String json = login.payload();
            return json.substring("{\"key\":\"".length(), json.length() - 2);
        });
    }

    static String hostKeyRequest(String user, String password) {
        return "{\"u\":\"" + user + "\",\"p\":\"" + password + "\"}";
    }

    /** A collection method, as a v11 client sends it, for {@code user} with {@code sessionKey}. */
    Response sync(String step, String user, String sessionKey, String method, String json, Visible visible) {
        return call(step, "sync/" + method, user, sessionKey, json, visible);
    }

    /** A v11 request with a JSON payload to any path. */
    Response call(String step, String path, String user, String sessionKey, String json, Visible visible) {
        return record(step, client.call(path, key(user), sessionKey, json), visible);
    }

    /** {@code hostKey} as a client sends it before it has a key. */
    Response login(String step, String json, Visible visible) {
        return record(step, client.call("sync/hostKey", "", "l0gin", json), visible);
    }

    /** A collection method with a raw payload ({@code upload}'s file). */
    Response syncBytes(String step, String user, String sessionKey, String method, byte[] payload, Visible visible) {
        return record(step, client.callWithBytes("sync/" + method, key(user), sessionKey, payload), visible);
    }

    /** A media method (whose session key servers ignore). */
    Response media(String step, String user, String method, String json, Visible visible) {
        return record(step, client.call("msync/" + method, key(user), "m3dia", json), visible);
    }

    /** {@code uploadChanges} with this zip. */
    Response mediaUpload(String step, String user, byte[] zip, Visible visible) {
        return record(step, client.callWithBytes("msync/uploadChanges", key(user), "m3dia", zip), visible);
    }

    /** Any POST at all; a body as given, e.g. already zstd or not. */
    Response post(String step, String path, Map<String, String> headers, byte[] body, Visible visible) {
        return record(step, client.post(path, headers, body), visible);
    }

    /** A POST with this {@code anki-sync} header value and this body. */
    Response postWithHeader(String step, String path, String header, byte[] body, Visible visible) {
        return post(step, path, Map.of(AnkiHeaders.SYNC, header), body, visible);
    }

    Response get(String step, String path, Visible visible) {
        return record(step, client.get(path), visible);
    }

    private Response record(String step, Response answer, Visible visible) {
        String seen;
        if (answer.status() / 100 != 2) {
            seen = ""; // clients act on the status alone
        } else {
            try {
                seen = visible.of(answer, this);
            } catch (RuntimeException | AssertionError e) {
                // e.g. no anki-original-size: the client fails on that too, so it is what it sees
                seen = "unreadable answer: " + e.getMessage() + " / " + new String(answer.body(), 0,
                        Math.min(200, answer.body().length), StandardCharsets.UTF_8);
            }
        }
        steps.add(new Step(step, answer.status(), seen));
        return answer;
    }

    @Override
    public String toString() {
        return name;
    }
}
