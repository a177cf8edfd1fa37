package dev.deckhand.compat.official;

import dev.deckhand.testsupport.TestFolders;
import dev.deckhand.ankiclient.PythonAnki;
import dev.deckhand.compat.LoopbackPort;
import dev.deckhand.compat.TiedProcess;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Anki's own sync server ({@code python -m anki.syncserver} from the build's PyPI {@code anki},
 * {@value PythonAnki#VERSION}) in a child process on a free loopback port, with a data folder
 * of its own and the given users. Its log is {@code target/official-server/<label>.log}; its data
 * folder, {@code target/official-server/<label>-base}, is deleted when it is closed. It is stopped
 * when closed, or when the test JVM dies in any way ({@link TiedProcess}).
 */
public final class OfficialSyncServer implements AutoCloseable {

    static final Path DIR = Path.of("target", "official-server").toAbsolutePath();
    /** Only a bound on a start that hangs; it normally answers within a second. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final TiedProcess process;
    private final int port;
    private final Path base;

    private OfficialSyncServer(TiedProcess process, int port, Path base) {
        this.process = process;
        this.port = port;
        this.base = base;
    }

    /**
     * Starts it with {@code users} (username to password, in order: {@code SYNC_USER1}, ...) and
     * {@code environment} added (e.g. {@code MAX_SYNC_PAYLOAD_MEGS}), and waits until it answers.
     */
    public static OfficialSyncServer start(String label, SequencedMap<String, String> users, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path base = DIR.resolve(label + "-base");
        TestFolders.deleteTree(base);
        Files.createDirectories(base);
        int port = LoopbackPort.free();
        Map<String, String> env = new HashMap<>(environment);
        int n = 1;
        for (var user : users.entrySet()) {
            env.put("SYNC_USER" + n++, user.getKey() + ":" + user.getValue());
        }
        env.put("SYNC_BASE", base.toString());
        env.put("SYNC_HOST", "127.0.0.1");
        env.put("SYNC_PORT", Integer.toString(port));
        env.put("NO_COLOR", "1"); // a readable log
        TiedProcess process = TiedProcess.start("the official sync server",
                List.of(PythonAnki.python().toString(), "-m", "anki.syncserver"), env, DIR.resolve(label + ".log"));
        OfficialSyncServer server = new OfficialSyncServer(process, port, base);
        try {
            server.awaitHealthy();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Polls {@code GET /health}, its container health check, until it answers 200. */
    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (true) {
                process.requireAlive();
                try {
                    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "health"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() == 200) {
                        return;
                    }
                } catch (ConnectException notListeningYet) {
                    // keep polling
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the official sync server did not answer within " + START_LIMIT
                            + "; see " + process.log());
                }
                Thread.sleep(50);
            }
        }
    }

    /** The base URL clients are given, with the trailing slash. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/";
    }

    public Path log() {
        return process.log();
    }

    /** Stops it and deletes its data folder; the log stays. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.close();
        TestFolders.deleteTree(base);
    }
}
