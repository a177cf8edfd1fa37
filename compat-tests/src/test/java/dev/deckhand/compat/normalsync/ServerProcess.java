package dev.deckhand.compat.normalsync;

import org.springframework.boot.SpringApplication;

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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A sync worker or gateway application in a JVM of its own, on the test's classpath, so that a
 * test can kill it with SIGKILL and start it again on the same port. Its output goes to a file
 * (the Anki client's native library owns the test JVM's stdout).
 *
 * <p>The child reads its stdin, a pipe from the test JVM, and halts when it closes: however the
 * test JVM ends, even killed, no child outlives it.
 */
final class ServerProcess implements AutoCloseable {

    private static final Duration READY_WAIT = Duration.ofSeconds(120);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final List<String> command;
    private final int port;
    private final Path logs;
    private Process process;
    private Path log;
    private int starts;

    private ServerProcess(String name, List<String> command, int port, Path logs) {
        this.name = name;
        this.command = command;
        this.port = port;
        this.logs = logs;
    }

    /**
     * Starts {@code application} in {@code jvm} with {@code properties} as command-line arguments;
     * see {@link #awaitReady()}.
     */
    static ServerProcess start(String name, Jvm jvm, Class<?> application, Map<String, Object> properties, int port,
                               Path logs) throws IOException {
        List<String> command = jvm.command(application, properties);
        command.add("--server.port=" + port);
        Files.createDirectories(logs);
        ServerProcess server = new ServerProcess(name, List.copyOf(command), port, logs);
        server.launch();
        return server;
    }

    /** The java command and options every child shares. */
    record Jvm(List<String> options) {

        static Jvm plain() {
            return new Jvm(options(System.getProperty("java.class.path")));
        }

        /**
         * A JVM that starts children about twice as fast, from an AOT cache (JDK 25 and later)
         * made by one start of {@code application} that ends once its context is up; plain where
         * that does not work out. The cache holds classes from jars only, so the directories on
         * the classpath are packed into jars first.
         */
        static Jvm withAotCache(Path work, Class<?> application, Map<String, Object> properties)
                throws IOException, InterruptedException {
            if (Runtime.version().feature() < 25) {
                return plain();
            }
            Files.createDirectories(work);
            String classpath = jarredClasspath(work.resolve("classpath"));
            Path cache = work.resolve("children.aot");
            Files.deleteIfExists(cache);
            List<String> training = new Jvm(options(classpath)).command(application, properties);
            training.addAll(1, List.of("-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh"));
            training.add("--server.port=0");
            Process run = new ProcessBuilder(training).redirectErrorStream(true)
                    .redirectOutput(work.resolve("aot-training.log").toFile()).start();
            if (!run.waitFor(READY_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                run.destroyForcibly().waitFor();
                return plain();
            }
            if (!Files.isRegularFile(cache)) {
                return plain();
            }
            List<String> options = options(classpath);
            options.add(1, "-XX:AOTCache=" + cache);
            return new Jvm(options);
        }

        private static List<String> options(String classpath) {
            return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // start-up time matters more than peak speed here
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", classpath));
        }

        List<String> command(Class<?> application, Map<String, Object> properties) {
            List<String> command = new ArrayList<>(options);
            command.addAll(List.of(ServerProcess.class.getName(), application.getName()));
            properties.forEach((key, value) -> command.add("--" + key + "=" + value));
            return command;
        }

        private static String jarredClasspath(Path jars) throws IOException {
            Files.createDirectories(jars);
            try (Stream<Path> old = Files.list(jars)) {
                for (Path jar : old.toList()) {
                    Files.delete(jar);
                }
            }
            List<String> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path path = Path.of(entry);
                if (Files.isDirectory(path)) {
                    Path jar = jars.resolve(entries.size() + ".jar");
                    pack(path, jar);
                    entries.add(jar.toString());
                } else {
                    entries.add(entry);
                }
            }
            return String.join(File.pathSeparator, entries);
        }

        /** With entries for the folders too: classpath scanning (components, migrations) looks for them. */
        private static void pack(Path folder, Path jar) throws IOException {
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> paths = Files.walk(folder)) {
                for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                    String name = folder.relativize(path).toString().replace(File.separatorChar, '/');
                    if (name.isEmpty()) {
                        continue;
                    }
                    boolean isFolder = Files.isDirectory(path);
                    out.putNextEntry(new JarEntry(isFolder ? name + "/" : name));
                    if (!isFolder) {
                        Files.copy(path, out);
                    }
                    out.closeEntry();
                }
            }
        }
    }

    /** The child's side: a parent watchdog, then the application. */
    public static void main(String[] args) throws ClassNotFoundException {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; this only waits for the end of the stream
                }
            } catch (IOException ignored) {
                // the same as the end of the stream
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Class<?> application = Class.forName(args[0]);
        SpringApplication app = new SpringApplication(application);
        app.setMainApplicationClass(application);
        app.run(Arrays.copyOfRange(args, 1, args.length));
    }

    private void launch() throws IOException {
        starts++;
        log = logs.resolve(name + "-" + starts + ".log");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Starts it again, on the same port, after a kill; does not wait for it to be ready. */
    void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " again", e);
        }
    }

    /** Polls its readiness probe until it answers 200. */
    void awaitReady() {
        URI readiness = URI.create(baseUrl() + "/actuator/health/readiness");
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue()
                            + " before it was ready; the end of its log:\n" + tail());
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
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(name + " not ready within " + READY_WAIT + "; the end of its log:\n" + tail());
    }

    /** SIGKILL, and waits until the process is gone: no shutdown hook, no graceful stop. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " still runs " + EXIT_WAIT + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return name + " (" + baseUrl() + ", start " + starts + ")";
    }
}
