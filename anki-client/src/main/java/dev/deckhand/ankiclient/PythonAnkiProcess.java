package dev.deckhand.ankiclient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.json.JSONObject;

/**
 * The child process behind one Anki 26.x device ({@code anki_device.py}): requests as JSON lines
 * on its stdin, answers by id on its stdout, its own output in {@code <folder>/anki-26.log}.
 * It exits when its stdin closes, so it never outlives the test JVM.
 */
final class PythonAnkiProcess implements AutoCloseable {

    /** Long enough for a 100 000-note full sync; a hung client fails the test instead of hanging it. */
    private static final long ANSWER_TIMEOUT_MINUTES = 15;

    private final Process process;
    private final Writer requests;
    private final Map<Long, CompletableFuture<JSONObject>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Path log;

    private PythonAnkiProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "anki-26 answers " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static PythonAnkiProcess start(Path folder) {
        Path log = folder.resolve("anki-26.log");
        ProcessBuilder builder = new ProcessBuilder(PythonAnki.python().toString(), PythonAnki.driver().toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // the log shows what the process printed up to the moment it stopped
        builder.environment().put("PYTHONUNBUFFERED", "1");
        try {
            return new PythonAnkiProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + PythonAnki.python(), e);
        }
    }

    /**
     * Sends {@code op} with its fields and waits for the answer's {@code result} (may be
     * {@link JSONObject#NULL}). A backend error comes back as a {@link PythonBackendException}.
     */
    Object call(String op, JSONObject fields) {
        long id = nextId.incrementAndGet();
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        JSONObject request = new JSONObject(fields.toMap()).put("id", id).put("op", op);
        try {
            synchronized (requests) {
                requests.write(request.toString());
                requests.write('\n');
                requests.flush();
            }
            JSONObject reply = answer.get(ANSWER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (reply.has("error")) {
                JSONObject error = reply.getJSONObject("error");
                throw new PythonBackendException(error.getString("kind"), error.getString("message"));
            }
            return reply.get("result");
        } catch (IOException e) {
            throw new IllegalStateException("the Anki 26.x process has gone (see " + log + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the Anki 26.x process", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Anki 26.x process has gone (see " + log + ")", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to " + op + " from the Anki 26.x process in "
                    + ANSWER_TIMEOUT_MINUTES + " minutes (see " + log + ")", e);
        } finally {
            pending.remove(id);
        }
    }

    private void readAnswers() {
        try (BufferedReader answers = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = answers.readLine()) != null) {
                JSONObject answer = new JSONObject(line);
                CompletableFuture<JSONObject> waiting = pending.get(answer.getLong("id"));
                if (waiting != null) {
                    waiting.complete(answer);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: whoever waits learns the process is gone
        }
        IllegalStateException gone = new IllegalStateException("the Anki 26.x process ended (see " + log + ")");
        pending.values().forEach(waiting -> waiting.completeExceptionally(gone));
    }

    @Override
    public void close() {
        try {
            requests.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
