package dev.deckhand.server.embedded;

import dev.deckhand.store.sql.SqlFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL cluster kept in {@code <dataFolder>/postgres} that survives restarts, run with zonky's
 * bundled binaries and reachable on 127.0.0.1 only.
 *
 * <p>{@link #start} also cleans up after a server process that died without {@link #close()}: an
 * orphaned postmaster is shut down, and a stale {@code postmaster.pid} is cleared. {@link #findRunning}
 * lets a second process (the admin CLI) use the running cluster instead of starting its own.
 *
 * <p>Longer than most files here on purpose: starting, adopting and stopping one cluster safely
 * (stale pids, orphaned postmasters, the lock against a second server on the same folder) is one
 * life cycle whose steps depend on each other's state; {@link Postmaster} already holds the
 * process handling that can stand apart.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    static final String DATA_SUBFOLDER = "postgres";
    static final String BINARIES_SUBFOLDER = ".postgres-binaries";
    /** zonky's own system property for where it extracts binaries and looks for old temp clusters. */
    public static final String WORKING_DIR_PROPERTY = "ot.epg.working-dir";
    /** Written once initdb has finished; a cluster without it was interrupted during initdb. */
    static final String INITDB_MARKER = "deckhand-initdb.done";
    private static final String ZONKY_LOCK_FILE = "epg-lock";

    // zonky treats a cluster that is not up by then as failed; crash recovery can take a while
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);
    private static final Duration BACKENDS_EXIT_WAIT = Duration.ofSeconds(15);

    // A second FileChannel on zonky's lock file would drop zonky's lock when closed (POSIX locks are
    // per process), so clusters this JVM runs are recognised without touching the file.
    private static final Set<Path> RUNNING_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final Path registryKey;
    private final RunningPostgres connection;
    private final long postmasterPid;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory, Path registryKey,
            RunningPostgres connection, long postmasterPid, boolean registerShutdownHook) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.registryKey = registryKey;
        this.connection = connection;
        this.postmasterPid = postmasterPid;
        this.shutdownHook = registerShutdownHook ? new Thread(this::close, "embedded-postgres-shutdown") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Starts on a free loopback port and stops PostgreSQL from a JVM shutdown hook if not closed before. */
    public static EmbeddedPostgresServer start(Path dataFolder) throws IOException {
        return start(dataFolder, 0, true);
    }

    /**
     * @param port 0 for a free port
     * @param registerShutdownHook false when the caller closes the server itself, e.g. a Spring bean
     *     whose destroy method must run after the web server drained its requests (JVM hooks run
     *     concurrently with Spring's own)
     */
    public static EmbeddedPostgresServer start(Path dataFolder, int port, boolean registerShutdownHook)
            throws IOException {
        Path folder = dataFolder.toAbsolutePath().normalize();
        Path dataDirectory = folder.resolve(DATA_SUBFOLDER);
        Path binaries = binariesFolder(folder, dataDirectory);
        Files.createDirectories(dataDirectory);
        Path registryKey = dataDirectory.toRealPath();
        if (!RUNNING_IN_THIS_JVM.add(registryKey)) {
            throw new IllegalStateException("PostgreSQL for " + dataDirectory + " already runs in this JVM");
        }
        try {
            ensureReachableWithoutRoot(dataDirectory, binaries);
            ensureNoOtherOwner(dataDirectory);
            clearStaleServer(dataDirectory);
            setAsideIncompleteCluster(dataDirectory);
            int chosenPort = port == 0 ? freeLoopbackPort() : requireFreePort(port);

            EmbeddedPostgres postgres = launch(dataDirectory, binaries, chosenPort);
            try {
                restrictPermissions(folder, binaries);
                createDatabase(chosenPort);
                long pid = Postmaster.PidFile.read(dataDirectory).map(Postmaster.PidFile::pid).orElse(-1L);
                log.info("PostgreSQL for {} listens on {}:{}", dataDirectory, RunningPostgres.HOST, chosenPort);
                return new EmbeddedPostgresServer(postgres, dataDirectory, registryKey,
                        RunningPostgres.onLoopback(chosenPort), pid, registerShutdownHook);
            } catch (IOException | RuntimeException e) {
                postgres.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            RUNNING_IN_THIS_JVM.remove(registryKey);
            throw e;
        }
    }

    /**
     * The cluster of a server process that is running now, read from its {@code postmaster.pid}; empty
     * if there is none, the pid is dead, or the pid now belongs to some other program. Must run as the
     * same user as the server, since the data directory is private to it (mode 0700).
     */
    public static Optional<RunningPostgres> findRunning(Path dataFolder) {
        Path dataDirectory = dataFolder.toAbsolutePath().normalize().resolve(DATA_SUBFOLDER);
        return Postmaster.PidFile.read(dataDirectory)
                .filter(pidFile -> pidFile.port() > 0 && !pidFile.status().equals("stopping"))
                .filter(pidFile -> Postmaster.isPostmasterFor(pidFile.pid(), dataDirectory))
                .map(pidFile -> RunningPostgres.onLoopback(pidFile.port()));
    }

    public int port() {
        return connection.port();
    }

    public String jdbcUrl() {
        return connection.jdbcUrl();
    }

    public String r2dbcUrl() {
        return connection.r2dbcUrl();
    }

    public String username() {
        return connection.username();
    }

    public String password() {
        return connection.password();
    }

    public RunningPostgres connection() {
        return connection;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Fast shutdown (sessions end, checkpoint written); returns once the postmaster has exited. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // zonky gives pg_ctl only 5 s, which a large checkpoint can outlast; the postmaster then
            // keeps shutting down on its own and must be gone before anyone restarts the cluster
            if (postmasterPid > 0 && !Postmaster.awaitExit(postmasterPid, SHUTDOWN_WAIT)) {
                log.warn("PostgreSQL (pid {}) for {} is still shutting down", postmasterPid, dataDirectory);
            }
            RUNNING_IN_THIS_JVM.remove(registryKey);
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // nothing to remove then
                }
            }
        }
    }

    private static Path binariesFolder(Path folder, Path dataDirectory) {
        // zonky deletes every child of this folder that has an unlocked epg-lock older than ten minutes
        // ("stale temp clusters"); with the data folder itself here that would be our cluster
        String property = System.getProperty(WORKING_DIR_PROPERTY);
        Path zonkyWorkingDir = Path.of(property != null ? property : System.getProperty("java.io.tmpdir") + "/embedded-pg")
                .toAbsolutePath().normalize();
        if (zonkyWorkingDir.equals(folder) || zonkyWorkingDir.startsWith(dataDirectory)) {
            throw new IllegalStateException(WORKING_DIR_PROPERTY + " must not be the data folder " + folder
                    + " or lie inside " + dataDirectory + ": zonky would treat the cluster as a stale temp cluster");
        }
        return property != null ? zonkyWorkingDir : folder.resolve(BINARIES_SUBFOLDER);
    }

    /**
     * Run as root, zonky starts initdb and pg_ctl under {@code unshare -U}: they keep root's uid on disk
     * but lose its capabilities, so a folder owned by another user (a home folder with mode 0700, say)
     * stops them half way with a bare "Permission denied". Checking up front gives a useful message.
     */
    private static void ensureReachableWithoutRoot(Path dataDirectory, Path binaries) throws IOException {
        if (!LinuxUtils.isUnshareAvailable()) {
            return;
        }
        Path binariesAncestor = binaries;
        while (binariesAncestor.getParent() != null && !Files.isDirectory(binariesAncestor)) {
            binariesAncestor = binariesAncestor.getParent();
        }
        Process check = new ProcessBuilder("unshare", "-U", "sh", "-c", "test -w \"$1\" -a -x \"$1\" -a -x \"$2\"",
                "sh", dataDirectory.toString(), binariesAncestor.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (check.waitFor() != 0) {
                throw new IllegalStateException("Run as root, PostgreSQL works without root's privileges and cannot"
                        + " use " + dataDirectory + " or " + binariesAncestor + ": every folder on the way must be"
                        + " owned by root or searchable by others (chmod o+x), e.g. not a 0700 home folder of another user");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking " + dataDirectory, e);
        }
    }

    /** Refuses to run next to a live process (another server or CLI) that holds zonky's lock. */
    private static void ensureNoOtherOwner(Path dataDirectory) throws IOException {
        Path lockFile = dataDirectory.resolve(ZONKY_LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("Another process runs PostgreSQL on " + dataDirectory
                        + "; stop that server, or connect to it (EmbeddedPostgresServer.findRunning)");
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("PostgreSQL for " + dataDirectory + " already runs in this JVM", e);
        }
    }

    /** Nobody holds zonky's lock here, so a postmaster.pid is left over from a process that died. */
    private static void clearStaleServer(Path dataDirectory) throws IOException {
        Path pidPath = dataDirectory.resolve(Postmaster.PID_FILE);
        if (!Files.exists(pidPath)) {
            return;
        }
        Optional<Postmaster.PidFile> read = Postmaster.PidFile.read(dataDirectory);
        if (read.isEmpty()) {
            // PostgreSQL would stop at "bogus data in lock file" forever
            log.warn("Removing unreadable {}", pidPath);
            Files.deleteIfExists(pidPath);
            return;
        }
        Postmaster.PidFile pidFile = read.get();
        if (Postmaster.isPostmasterFor(pidFile.pid(), dataDirectory)) {
            // An orphan of a server that was killed hard. We could not adopt it (zonky only starts
            // clusters itself), and leaving it would block this start, so shut it down cleanly.
            log.warn("PostgreSQL (pid {}) of an earlier server process still runs on {}; shutting it down",
                    pidFile.pid(), dataDirectory);
            Postmaster.stop(pidFile.pid(), SHUTDOWN_WAIT);
        }
        if (!Postmaster.awaitSharedMemoryReleased(pidFile, BACKENDS_EXIT_WAIT)) {
            throw new IllegalStateException("Processes of an earlier PostgreSQL still use " + dataDirectory
                    + " (shared memory id " + pidFile.shmId() + "); end them before starting the server");
        }
        if (Files.exists(pidPath) && Postmaster.state(pidFile.pid()) != Postmaster.State.GONE) {
            // The pid now belongs to another program (pids restart after a reboot or in a new
            // container) or to an unreaped zombie. PostgreSQL only replaces a lock file whose pid is
            // dead, so it would refuse to start. A dead pid we leave alone: PostgreSQL handles it.
            log.warn("Removing stale {} (pid {} is not a PostgreSQL for this cluster)", pidPath, pidFile.pid());
            Files.deleteIfExists(pidPath);
        }
    }

    /**
     * A server killed during its first start leaves a half-made cluster that initdb refuses (folder not
     * empty) or that PostgreSQL cannot start. It is moved aside, never deleted.
     */
    private static void setAsideIncompleteCluster(Path dataDirectory) throws IOException {
        if (Files.exists(dataDirectory.resolve(INITDB_MARKER))) {
            return;
        }
        try (Stream<Path> entries = Files.list(dataDirectory)) {
            if (entries.findAny().isEmpty()) {
                return;
            }
        }
        Path aside = dataDirectory.resolveSibling(DATA_SUBFOLDER + ".incomplete-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        log.warn("{} holds no finished cluster (initdb was interrupted); moving it to {}", dataDirectory, aside);
        Files.move(dataDirectory, aside);
        Files.createDirectories(dataDirectory);
    }

    private static EmbeddedPostgres launch(Path dataDirectory, Path binaries, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setOverrideWorkingDirectory(binaries.toFile())
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                // the C locale exists everywhere; a cluster made with the machine's locale breaks
                // when that locale is missing later (other machine, container image, OS upgrade)
                .setLocaleConfig("locale", "C")
                .setServerConfig("listen_addresses", listenAddresses())
                // no socket file in /tmp that could collide with a system PostgreSQL or go stale
                .setServerConfig("unix_socket_directories", "")
                // zonky passes -F (fsync off) and synchronous_commit=off, fine for throwaway test
                // clusters but a power cut could then corrupt or lose synced collections
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setDataDirectoryCustomizer(dir -> markInitdbDone(dir.toPath()));
        try {
            return builder.start();
        } catch (IOException | RuntimeException e) {
            // zonky gives up without stopping a postmaster that was merely slow
            Postmaster.PidFile.read(dataDirectory)
                    .filter(pidFile -> Postmaster.isPostmasterFor(pidFile.pid(), dataDirectory))
                    .ifPresent(pidFile -> stopQuietly(pidFile.pid()));
            throw new IOException("PostgreSQL did not start on " + dataDirectory + " (cluster version "
                    + clusterVersion(dataDirectory) + ", port " + port + "); its log lines above say why", e);
        }
    }

    private static void markInitdbDone(Path dataDirectory) {
        Path marker = dataDirectory.resolve(INITDB_MARKER);
        if (!Files.exists(marker)) {
            try {
                Files.writeString(marker, "initdb finished; the cluster may be used\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void stopQuietly(long pid) {
        try {
            Postmaster.stop(pid, Duration.ofSeconds(10));
        } catch (IOException e) {
            log.warn("Could not stop PostgreSQL (pid {}): {}", pid, e.getMessage());
        }
    }

    private static String clusterVersion(Path dataDirectory) {
        try {
            return Files.readString(dataDirectory.resolve("PG_VERSION")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String listenAddresses() throws IOException {
        // zonky's readiness check connects to "localhost"; should that resolve to ::1 first, listen there too
        InetAddress localhost = InetAddress.getByName("localhost");
        if (localhost.isLoopbackAddress() && !localhost.getHostAddress().equals(RunningPostgres.HOST)) {
            return RunningPostgres.HOST + "," + localhost.getHostAddress();
        }
        return RunningPostgres.HOST;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(RunningPostgres.HOST))) {
            return socket.getLocalPort();
        }
    }

    /** Fails at once: otherwise zonky would wait its whole startup timeout for a server that cannot bind. */
    private static int requireFreePort(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(RunningPostgres.HOST))) {
            return socket.getLocalPort();
        } catch (BindException e) {
            throw new IOException("Port " + port + " on " + RunningPostgres.HOST + " is in use", e);
        }
    }

    private static void restrictPermissions(Path folder, Path binaries) {
        if (!binaries.startsWith(folder)) {
            return;
        }
        // zonky makes its working folder world-writable, which would let other local users swap the
        // binaries we execute
        try {
            Files.setPosixFilePermissions(binaries, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | UnsupportedOperationException e) {
            // absent when this JVM reuses binaries extracted for another folder
        }
    }

    private static final String SELECT_DATABASE_EXISTS = SqlFile.load(EmbeddedPostgresServer.class, "select-database-exists");
    private static final String CREATE_DECKHAND_DATABASE = SqlFile.load(EmbeddedPostgresServer.class, "create-deckhand-database");

    private static void createDatabase(int port) throws IOException {
        RunningPostgres maintenance = RunningPostgres.onLoopback(port, "postgres");
        try (Connection connection = DriverManager.getConnection(maintenance.jdbcUrl(), maintenance.username(),
                maintenance.password());
                PreparedStatement exists = connection.prepareStatement(SELECT_DATABASE_EXISTS)) {
            exists.setString(1, RunningPostgres.DATABASE);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute(CREATE_DECKHAND_DATABASE);
            }
        } catch (SQLException e) {
            throw new IOException("Cannot create database " + RunningPostgres.DATABASE, e);
        }
    }
}
