package dev.deckhand.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A command run as a child of the test JVM that cannot outlive it, with its output in a log file.
 *
 * <p>The command runs under a small shell that reads our end of a pipe. That pipe closes however
 * the test JVM ends, even killed outright (when no shutdown hook runs), and the shell then stops
 * the command. {@link #close()} ends it the same way. The shell exits when the command does, with
 * its status, so {@link #isAlive()} tells whether the command still runs. For children that are Java programs on the
 * test classpath and must be killed with SIGKILL themselves, see {@code ServerProcess}.
 */
public final class TiedProcess implements AutoCloseable {

    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Process shell;
    private final String name;
    private final Path log;

    private TiedProcess(Process shell, String name, Path log) {
        this.shell = shell;
        this.name = name;
        this.log = log;
    }

    /**
     * Starts {@code command} with {@code environment} added to the test JVM's, its output and
     * errors going to {@code log} (whose folder is created).
     */
    public static TiedProcess start(String name, List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> tied = new ArrayList<>(List.of("sh", "-c",
                // "$0" "$@" is the command. A reader of the pipe (fd 3) sends it SIGTERM at the
                // pipe's end; the shell itself waits for the command, so it ends when the command does
                "exec 3<&0; \"$0\" \"$@\" </dev/null 3<&- & child=$!; "
                        + "{ while read -r _ <&3; do :; done; kill $child 2>/dev/null; } & wait $child"));
        tied.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(tied).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new TiedProcess(builder.start(), name, log);
    }

    public boolean isAlive() {
        return shell.isAlive();
    }

    /** Throws, naming the log, if the command has already ended. */
    public void requireAlive() {
        if (!shell.isAlive()) {
            throw new IllegalStateException(name + " exited with " + shell.exitValue() + "; see " + log);
        }
    }

    public Path log() {
        return log;
    }

    /** Stops the command (forcibly if it does not stop soon) and waits until it and the shell are gone. */
    @Override
    public void close() throws IOException, InterruptedException {
        // now, while the shell is alive: once it exits, the command is no longer its descendant
        List<ProcessHandle> tree = Stream.concat(Stream.of(shell.toHandle()), shell.descendants()).toList();
        shell.getOutputStream().close();
        if (!shell.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(name + "'s process " + p.pid() + " did not exit", e);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (log " + log + ")";
    }
}
