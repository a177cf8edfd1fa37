package dev.deckhand.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class EmbeddedPostgresServerTest {

    private static final String ROW = "SELECT text FROM notes WHERE id = 1";
    private static final String CHILD_ROW = "written before the crash";

    private static Path root;
    private static final List<Path> folders = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @BeforeAll
    static void createRoot() throws IOException {
        Path target = Files.createDirectories(Path.of("target", "embedded-postgres-tests").toAbsolutePath());
        root = Files.createTempDirectory(target, "run-");
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly().waitFor();
        }
    }

    @AfterAll
    static void deleteRoot() throws IOException {
        // a failed test may leave an orphan behind, which would otherwise outlive the build
        for (Path folder : folders) {
            Postmaster.PidFile.read(folder.resolve(EmbeddedPostgresServer.DATA_SUBFOLDER))
                    .ifPresent(pidFile -> ProcessHandle.of(pidFile.pid()).ifPresent(ProcessHandle::destroyForcibly));
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void dataSurvivesARestart() throws Exception {
        Path folder = folder("restart");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(server.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/deckhand");
            assertThat(server.r2dbcUrl()).isEqualTo("r2dbc:postgresql://127.0.0.1:" + server.port() + "/deckhand");
            assertThat(server.username()).isEqualTo("postgres");
            assertThat(server.password()).isEmpty();
            assertThat(query(server.connection(), "SHOW listen_addresses")).startsWith("127.0.0.1");
            assertThat(query(server.connection(), "SHOW fsync")).isEqualTo("on");
            assertThat(query(server.connection(), "SHOW synchronous_commit")).isEqualTo("on");
            execute(server.connection(), "CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)",
                    "INSERT INTO notes VALUES (1, 'kept')");
        }
        Path dataDirectory = folder.resolve("postgres");
        assertThat(dataDirectory.resolve("postmaster.pid")).doesNotExist();
        // whoever runs the server (root included, via zonky's unshare) owns the cluster and may reopen it
        assertThat(Files.getOwner(dataDirectory).getName()).isEqualTo(System.getProperty("user.name"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDirectory))).isEqualTo("rwx------");

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(query(server.connection(), ROW)).isEqualTo("kept");
        }
    }

    @Test
    void findRunningSeesTheServerOnlyWhileItRuns() throws Exception {
        Path folder = folder("find");
        assertThat(EmbeddedPostgresServer.findRunning(folder)).isEmpty();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(EmbeddedPostgresServer.findRunning(folder)).contains(server.connection());
            RunningPostgres running = EmbeddedPostgresServer.findRunning(folder).orElseThrow();
            assertThat(running.port()).isEqualTo(server.port());
            assertThat(query(running, "SELECT current_database()")).isEqualTo("deckhand");

            assertThatThrownBy(() -> EmbeddedPostgresServer.start(folder))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already runs in this JVM");
        }
        assertThat(EmbeddedPostgresServer.findRunning(folder)).isEmpty();
    }

    @Test
    void orphanedPostgresOfAHardKilledServerIsShutDown() throws Exception {
        Path folder = folder("orphan");
        Process child = startChild(folder, false);
        long postmaster = postmasterPid(folder);
        // zonky makes its working folder world-writable; ours is put back
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(".postgres-binaries"))))
                .isEqualTo("rwxr-xr-x");

        assertThatThrownBy(() -> EmbeddedPostgresServer.start(folder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Another process runs PostgreSQL");
        assertThat(EmbeddedPostgresServer.findRunning(folder)).isPresent();

        child.destroyForcibly().waitFor();
        assertThat(Postmaster.state(postmaster)).isEqualTo(Postmaster.State.RUNNING);

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(Postmaster.state(postmaster)).isNotEqualTo(Postmaster.State.RUNNING);
            assertThat(query(server.connection(), ROW)).isEqualTo(CHILD_ROW);
        }
    }

    @Test
    void crashedPostgresDoesNotBlockTheNextStart() throws Exception {
        Path folder = folder("crash");
        Process child = startChild(folder, true);
        long postmaster = postmasterPid(folder);

        ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
        child.destroyForcibly().waitFor();
        assertThat(Postmaster.awaitExit(postmaster, Duration.ofSeconds(10))).isTrue();
        assertThat(folder.resolve("postgres/postmaster.pid")).exists();

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(query(server.connection(), ROW)).isEqualTo(CHILD_ROW);
        }
    }

    @Test
    void stalePidFilesDoNotBlockTheStart() throws Exception {
        Path folder = folder("stale-pid");
        Path dataDirectory = folder.resolve("postgres");
        int port;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            port = server.port();
            execute(server.connection(), "CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)",
                    "INSERT INTO notes VALUES (1, 'kept')");
        }
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        // a dead pid, and one that now belongs to a live program as after a reboot or container restart
        for (long pid : new long[] {exited.pid(), ProcessHandle.current().pid()}) {
            Files.writeString(dataDirectory.resolve("postmaster.pid"), String.join("\n",
                    Long.toString(pid), dataDirectory.toString(), "1700000000",
                    Integer.toString(port), "", "127.0.0.1", "", "ready", ""));
            assertThat(EmbeddedPostgresServer.findRunning(folder)).isEmpty();

            try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
                assertThat(query(server.connection(), ROW)).isEqualTo("kept");
            }
        }
    }

    @Test
    void clusterOfAnInterruptedInitdbIsMovedAside() throws Exception {
        Path folder = folder("interrupted-initdb");
        Path dataDirectory = Files.createDirectories(folder.resolve("postgres"));
        Files.writeString(dataDirectory.resolve("PG_VERSION"), "17\n");
        Files.writeString(dataDirectory.resolve("postgresql.conf"), "");

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(query(server.connection(), "SELECT current_database()")).isEqualTo("deckhand");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            assertThat(entries.map(path -> path.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("postgres.incomplete-"));
        }
    }

    @Test
    void asRootTheFoldersMustBeReachableWithoutRootPrivileges() throws Exception {
        assumeTrue(LinuxUtils.isUnshareAvailable(), "only root runs PostgreSQL under unshare -U");
        // e.g. SYNC_BASE=/home/alice/.syncserver for a server started by root
        Path home = folder("alice-home");
        Path folder = Files.createDirectories(home.resolve(".syncserver"));
        Files.setAttribute(home, "unix:uid", 1000);
        Files.setAttribute(folder, "unix:uid", 1000);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> EmbeddedPostgresServer.start(folder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("searchable by others");

        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(folder)) {
            assertThat(query(server.connection(), "SELECT current_database()")).isEqualTo("deckhand");
        }
    }

    @Test
    void zonkyWorkingDirectoryMustNotBeTheDataFolder() throws Exception {
        Path folder = folder("working-dir");
        String before = System.getProperty(EmbeddedPostgresServer.WORKING_DIR_PROPERTY);
        System.setProperty(EmbeddedPostgresServer.WORKING_DIR_PROPERTY, folder.toString());
        try {
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(folder))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("stale temp cluster");
        } finally {
            if (before == null) {
                System.clearProperty(EmbeddedPostgresServer.WORKING_DIR_PROPERTY);
            } else {
                System.setProperty(EmbeddedPostgresServer.WORKING_DIR_PROPERTY, before);
            }
        }
    }

    private static Path folder(String name) throws IOException {
        Path folder = Files.createDirectories(root.resolve(name));
        folders.add(folder);
        return folder;
    }

    /**
     * A server in its own JVM, so that it can die by SIGKILL like a real one.
     *
     * @param sharedBinaries false to have the child extract binaries into the data folder, the default
     *     outside tests (the build points {@code ot.epg.working-dir} at a shared cache)
     */
    private Process startChild(Path folder, boolean sharedBinaries) throws Exception {
        Path log = root.resolve(folder.getFileName() + "-child.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        String cache = System.getProperty(EmbeddedPostgresServer.WORKING_DIR_PROPERTY);
        if (sharedBinaries && cache != null) {
            command.add("-D" + EmbeddedPostgresServer.WORKING_DIR_PROPERTY + "=" + cache);
        }
        command.addAll(List.of(EmbeddedPostgresChild.class.getName(), folder.toString()));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        children.add(child);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            String output = Files.readString(log, StandardCharsets.ISO_8859_1);
            if (output.contains("READY ")) {
                return child;
            }
            if (!child.isAlive() || System.nanoTime() > deadline) {
                fail("child server did not start:\n" + output.substring(Math.max(0, output.length() - 4000)));
            }
            Thread.sleep(100);
        }
    }

    private static long postmasterPid(Path folder) {
        return Postmaster.PidFile.read(folder.resolve("postgres")).orElseThrow().pid();
    }

    private static String query(RunningPostgres postgres, String sql) throws SQLException {
        try (Connection connection = connect(postgres);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as("a row from %s", sql).isTrue();
            return rows.getString(1);
        }
    }

    private static void execute(RunningPostgres postgres, String... sql) throws SQLException {
        try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    private static Connection connect(RunningPostgres postgres) throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }
}
