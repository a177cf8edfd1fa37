package dev.deckhand.server.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a data directory's {@code postmaster.pid} and inspects or signals the process it names. */
final class Postmaster {

    private static final Logger log = LoggerFactory.getLogger(Postmaster.class);

    static final String PID_FILE = "postmaster.pid";

    enum State { GONE, ZOMBIE, RUNNING }

    /**
     * The lines of {@code postmaster.pid} we use: 1 pid, 2 data directory, 4 port, 7 System V shared
     * memory key and id (written a little after the others), 8 status.
     */
    record PidFile(long pid, Path dataDirectory, int port, long shmKey, long shmId, String status) {

        static Optional<PidFile> read(Path dataDirectory) {
            List<String> lines;
            try {
                // lenient decoding: the path line is in whatever encoding the file system uses
                lines = new String(Files.readAllBytes(dataDirectory.resolve(PID_FILE)), StandardCharsets.UTF_8)
                        .lines().toList();
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                log.warn("Cannot read {} in {}: {}", PID_FILE, dataDirectory, e.toString());
                return Optional.empty();
            }
            if (lines.size() < 4) {
                return Optional.empty();
            }
            try {
                long pid = Long.parseLong(lines.get(0).trim());
                int port = Integer.parseInt(lines.get(3).trim());
                long shmKey = -1;
                long shmId = -1;
                if (lines.size() >= 7) {
                    String[] shm = lines.get(6).trim().split("\\s+");
                    if (shm.length == 2) {
                        // key_t is an int that PostgreSQL prints as unsigned long
                        shmKey = Long.parseUnsignedLong(shm[0]);
                        shmId = Long.parseLong(shm[1]);
                    }
                }
                String status = lines.size() >= 8 ? lines.get(7).trim() : "";
                return Optional.of(new PidFile(pid, Path.of(lines.get(1).trim()), port, shmKey, shmId, status));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private Postmaster() {
    }

    static State state(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String line = Files.readString(stat, StandardCharsets.ISO_8859_1);
                // "pid (comm) S ...": comm may itself contain ") ", so look after the last one
                int afterComm = line.lastIndexOf(") ");
                return afterComm >= 0 && line.charAt(afterComm + 2) == 'Z' ? State.ZOMBIE : State.RUNNING;
            } catch (IOException | IndexOutOfBoundsException e) {
                return State.GONE;
            }
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? State.RUNNING : State.GONE;
    }

    /** True if {@code pid} is a running {@code postgres -D <dataDirectory>} (not a reused pid or a zombie). */
    static boolean isPostmasterFor(long pid, Path dataDirectory) {
        if (state(pid) != State.RUNNING) {
            return false;
        }
        List<String> args = commandLine(pid);
        if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("postgres")) {
            return false;
        }
        for (int i = 1; i < args.size() - 1; i++) {
            if (args.get(i).equals("-D")) {
                return sameFile(Path.of(args.get(i + 1)), dataDirectory);
            }
        }
        return false;
    }

    private static List<String> commandLine(long pid) {
        try {
            // world-readable, unlike /proc/<pid>/exe which ProcessHandle.Info needs for command()
            String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            return List.of(raw.split("\0"));
        } catch (IOException | RuntimeException e) {
            ProcessHandle.Info info = ProcessHandle.of(pid).map(ProcessHandle::info).orElse(null);
            if (info == null || info.command().isEmpty()) {
                return List.of();
            }
            List<String> args = new ArrayList<>();
            args.add(info.command().get());
            info.arguments().ifPresent(a -> args.addAll(List.of(a)));
            return args;
        }
    }

    static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /**
     * Stops a postmaster that is not our child.
     *
     * <p>SIGINT is PostgreSQL's fast shutdown: it ends sessions, writes a checkpoint and removes
     * postmaster.pid. {@code pg_ctl stop -m fast} sends exactly this signal and then polls, but pg_ctl
     * refuses to run as root (we would have to copy zonky's {@code unshare -U} wrapping) and zonky keeps
     * the path of its extracted binaries private. SIGTERM (smart) would wait for clients such as an admin
     * CLI; SIGQUIT (immediate) is only the fallback because it makes the next start do crash recovery.
     */
    static void stop(long pid, Duration timeout) throws IOException {
        signal(pid, "INT");
        if (awaitExit(pid, timeout)) {
            return;
        }
        log.warn("PostgreSQL (pid {}) ignored a fast shutdown for {}; sending an immediate shutdown", pid, timeout);
        signal(pid, "QUIT");
        if (!awaitExit(pid, Duration.ofSeconds(15))) {
            throw new IOException("PostgreSQL (pid " + pid + ") does not stop; stop it by hand");
        }
    }

    private static void signal(long pid, String signal) throws IOException {
        // the shell builtin, because minimal images may lack /bin/kill
        Process kill = new ProcessBuilder("sh", "-c", "kill -s " + signal + " " + pid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling pid " + pid, e);
        }
    }

    /** Zombies count as exited: nothing reaps a postmaster orphaned under a PID 1 that does not wait(). */
    static boolean awaitExit(long pid, Duration timeout) {
        return await(() -> state(pid) != State.RUNNING, timeout);
    }

    /**
     * Waits until no process is attached to the old server's interlock segment any more. Backends of a
     * killed postmaster need a moment to notice; PostgreSQL refuses to start while they linger, and
     * zonky would then sit out its whole startup timeout.
     */
    static boolean awaitSharedMemoryReleased(PidFile pidFile, Duration timeout) {
        if (pidFile.shmId() < 0) {
            return true;
        }
        return await(() -> attachCount(pidFile.shmKey(), pidFile.shmId()) <= 0, timeout);
    }

    /** -1 if the segment is gone (or /proc/sysvipc is unavailable). */
    private static long attachCount(long key, long id) {
        try {
            // columns: key shmid perms size cpid lpid nattch ...
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm"), StandardCharsets.ISO_8859_1)) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 6 && cols[1].equals(Long.toString(id)) && (int) Long.parseLong(cols[0]) == (int) key) {
                    return Long.parseLong(cols[6]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: PostgreSQL's own check still guards the data
        }
        return -1;
    }

    private static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }
}
