package dev.deckhand.compat;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.SyncCredentials;
import dev.deckhand.ankiclient.SyncRequired;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the README promises, run the way a person runs it: the executable jar as a child process on
 * its embedded PostgreSQL, the admin CLI as a second process against the running server, the real
 * Anki client over HTTP, and a SIGTERM restart that keeps accounts and host keys.
 *
 * <p>Children write to files under target/: the Anki native library owns this JVM's stdout.
 */
class PackagedServerTest {

    private static final Path JAR = Path.of("..", "sync-server", "target", "deckhand-server.jar")
            .toAbsolutePath().normalize();
    private static final Duration READY_WAIT = Duration.ofSeconds(90);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration CLI_WAIT = Duration.ofSeconds(120);

    @TempDir
    Path devices;

    private Path work;
    private Path base;
    private Process server;
    private Path serverLog;
    private final List<String> timings = new ArrayList<>();

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void readmeWorkflowOnTheExecutableJar() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "needs the executable jar " + JAR
                + ", which `./mvnw verify` (or `package`) of the whole project builds before these tests");
        work = Files.createDirectories(Path.of("target", "packaged-server", "run-" + System.currentTimeMillis())
                .toAbsolutePath());
        base = work.resolve("sync-base");
        try {
            workflow();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n--- tail of " + serverLog + " ---\n" + tail(serverLog), e);
        } finally {
            stopServer();
            Files.write(work.resolve("timings.txt"), timings);
        }
    }

    private void workflow() throws Exception {
        int port = freePort();
        startServer(port, "server-1.log");
        String endpoint = "http://127.0.0.1:" + port + "/";

        try (AnkiDevice device = AnkiDevice.open(devices.resolve("user"));
                AnkiDevice bobsDevice = AnkiDevice.open(devices.resolve("bob"))) {
            device.addBasicNote("front", "back");
            SyncCredentials auth = device.login(endpoint, "user", "pass");
            assertThat(auth.hostKey()).isNotBlank();
            assertThat(device.syncCollection(auth).required()).isEqualTo(SyncRequired.FULL_UPLOAD);

            // the admin CLI, while the server runs on the same SYNC_BASE
            Cli added = cli("adduser", "bob", "secret");
            assertThat(added.exit()).as("adduser: %s", added).isZero();
            Cli listed = cli("lsuser");
            assertThat(listed.exit()).as("lsuser: %s", listed).isZero();
            assertThat(listed.stdout().lines()).as("lsuser: %s", listed).contains("user", "bob");

            SyncCredentials bob = bobsDevice.login(endpoint, "bob", "secret");
            assertThat(bobsDevice.syncCollection(bob).required()).isEqualTo(SyncRequired.NO_CHANGES);

            Cli passwd = cli("passwd", "bob", "other");
            assertThat(passwd.exit()).as("passwd: %s", passwd).isZero();
            assertAuthError(() -> bobsDevice.syncCollection(bob));
            SyncCredentials bobAgain = bobsDevice.login(endpoint, "bob", "other");

            Cli deleted = cli("deluser", "bob");
            assertThat(deleted.exit()).as("deluser bob: %s", deleted).isZero();
            assertAuthError(() -> bobsDevice.login(endpoint, "bob", "other"));
            assertAuthError(() -> bobsDevice.syncCollection(bobAgain));

            Cli nobody = cli("deluser", "nobody");
            assertThat(nobody.exit()).as("deluser nobody: %s", nobody).isEqualTo(1);
            assertThat(nobody.stderr()).as("deluser nobody: %s", nobody).contains("nobody");

            Cli unknown = cli("frobnicate");
            assertThat(unknown.exit()).as("unknown verb: %s", unknown).isEqualTo(2);
            assertThat(unknown.stderr()).as("unknown verb: %s", unknown).contains("usage:");

            // SIGTERM, as systemd or Ctrl-C would send; the embedded PostgreSQL must go with it
            long stopping = System.nanoTime();
            server.destroy();
            assertThat(server.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("server exits within %s of SIGTERM", STOP_WAIT).isTrue();
            timings.add("stop after SIGTERM: " + millisSince(stopping) + " ms, exit " + server.exitValue());
            assertThat(processesUsing(base)).as("processes still using %s after the server exited", base).isEmpty();

            // a new port too, so the client is pointed at the restarted server explicitly
            int newPort = freePort();
            startServer(newPort, "server-2.log");
            SyncCredentials sameKey = auth.withEndpoint("http://127.0.0.1:" + newPort + "/");
            assertThat(device.syncCollection(sameKey).required()).isEqualTo(SyncRequired.FULL_UPLOAD);
            assertThat(device.login(sameKey.endpoint(), "user", "pass").hostKey()).isNotBlank();
            assertAuthError(() -> bobsDevice.login(sameKey.endpoint(), "bob", "other"));
        }
    }

    private static void assertAuthError(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AnkiClientException.class,
                e -> assertThat(e.kind()).isEqualTo(AnkiClientException.Kind.AUTH));
    }

    // ---- child processes ----------------------------------------------------------------------

    private void startServer(int port, String logName) throws Exception {
        serverLog = work.resolve(logName);
        ProcessBuilder builder = javaJar();
        builder.environment().put("SYNC_HOST", "127.0.0.1");
        builder.environment().put("SYNC_PORT", Integer.toString(port));
        builder.environment().put("SYNC_USER1", "user:pass");
        builder.redirectErrorStream(true).redirectOutput(serverLog.toFile());
        long starting = System.nanoTime();
        server = builder.start();
        awaitReady(port);
        timings.add(logName + ": ready after " + millisSince(starting) + " ms");
    }

    private void awaitReady(int port) throws Exception {
        URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    throw new AssertionError("server exited with " + server.exitValue() + " before it was ready");
                }
                try {
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(readiness)
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notListeningYet) {
                    // keep polling
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("server not ready within " + READY_WAIT + " (" + readiness + ")");
    }

    private record Cli(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private int cliRuns;

    private Cli cli(String... args) throws Exception {
        ProcessBuilder builder = javaJar(args);
        Path out = work.resolve("cli-" + (++cliRuns) + "-" + args[0] + ".out");
        Path err = work.resolve("cli-" + cliRuns + "-" + args[0] + ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long running = System.nanoTime();
        Process process = builder.start();
        try {
            assertThat(process.waitFor(CLI_WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("deckhand %s finishes within %s", String.join(" ", args), CLI_WAIT).isTrue();
        } finally {
            process.destroyForcibly();
        }
        timings.add("cli " + String.join(" ", args) + ": " + millisSince(running) + " ms");
        return new Cli(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code java -jar deckhand-server.jar args} with only SYNC_BASE of our settings set. */
    private ProcessBuilder javaJar(String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> env = builder.environment();
        // a developer's own settings (DATABASE_URL above all) must not leak into the children
        env.keySet().removeIf(name -> name.startsWith("SYNC_") || name.startsWith("DATABASE_")
                || name.equals("REDIS_URL") || name.equals("PASSWORDS_HASHED") || name.equals("MAX_SYNC_PAYLOAD_MEGS"));
        env.put("SYNC_BASE", base.toString());
        return builder;
    }

    private void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        // a server killed hard leaves its postmaster behind (it is not our child); don't leave it running
        if (base != null) {
            processesUsing(base).forEach(ProcessHandle::destroy);
        }
    }

    /** Live processes whose command line names {@code folder}: the server's PostgreSQL runs from there. */
    private static List<ProcessHandle> processesUsing(Path folder) {
        String name = folder.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(line -> line.contains(name)).orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static String tail(Path log) {
        if (log == null || !Files.exists(log)) {
            return "(no log)";
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }
}
