package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiClientException;
import dev.deckhand.protocol.ZstdFraming;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 proxy between the client and the server that can break one step of a sync, or run
 * a test's action at a chosen point of one request ({@link Point}). It passes requests and
 * answers on as they are (status, headers such as {@code anki-original-size}, bodies streamed
 * in their own framing), leaving out hop-by-hop headers, and serves one request per
 * connection, so a broken connection takes nothing else with it. Like a load balancer, it
 * answers 502 itself when the server is not there or dies before answering.
 */
final class FaultProxy implements AutoCloseable {

    /** How the proxy breaks the armed step, and what the client then reports. */
    enum Fault {
        /** Answers 500 itself; the server never sees the request. The client rolls back and sends abort. */
        ANSWER_500(AnkiClientException.Kind.SERVER_ERROR),
        /** The server handles the request, but its answer is lost: the client vanishes after it. */
        DROP_RESPONSE(AnkiClientException.Kind.NETWORK),
        /** The request is lost and the connection closed: the client vanishes before it. */
        DROP_REQUEST(AnkiClientException.Kind.NETWORK);

        final AnkiClientException.Kind clientSees;

        Fault(AnkiClientException.Kind clientSees) {
            this.clientSees = clientSees;
        }
    }

    enum Action { FORWARDED, ANSWERED_500, RESPONSE_DROPPED, REQUEST_DROPPED }

    /** One request as the proxy saw it; {@code status} is the server's answer, 0 if none came. */
    static final class Exchange {
        final long atMillis = System.currentTimeMillis();
        final String method;
        final Action action;
        final String syncHeader;
        volatile int status;
        volatile long answeredMillis;
        /** The answer's JSON, kept for sanityCheck2 only: its counts explain a "bad". */
        volatile String answer = "";
        /** Why the proxy answered 502 itself: the server was not there, or died before answering. */
        volatile String upstreamFailure = "";

        Exchange(String method, Action action, String syncHeader) {
            this.method = method;
            this.action = action;
            this.syncHeader = syncHeader;
        }

        String method() {
            return method;
        }

        @Override
        public String toString() {
            return atMillis + " " + method + " " + action + " " + status + " answered " + answeredMillis + " "
                    + syncHeader + " " + answer + upstreamFailure;
        }
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade", "host");

    /**
     * Where in one request of a method the test's action runs: just before the request is passed
     * on; while the server works on it (the request passed on in full, no answer yet); or once
     * the answer has reached the client, with later requests held until the action is done.
     */
    enum Point { BEFORE_FORWARDING, AFTER_FORWARDING, AFTER_ANSWERING }

    /** A test's action, run once at {@code point} in the next request of {@code method}. */
    private record Hook(Point point, String method, long delayMillis, Runnable action, CompletableFuture<Void> done) {

        void run() {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable failure) {
                done.completeExceptionally(failure);
            }
        }

        void runLater() {
            CompletableFuture.runAsync(this::run,
                    CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
        }
    }

    private final ServerSocket listener;
    private volatile int upstreamPort;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Exchange> log = Collections.synchronizedList(new ArrayList<>());
    private String armedMethod;
    private Fault armedFault;
    private boolean fired;
    private boolean dropNextAbort;
    private boolean dropAborts;
    private final List<Hook> hooks = new ArrayList<>();
    /** Completed except while an {@link Point#AFTER_ANSWERING} action runs. */
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    private FaultProxy(ServerSocket listener, int upstreamPort) {
        this.listener = listener;
        this.upstreamPort = upstreamPort;
    }

    static FaultProxy start(int upstreamPort) throws IOException {
        FaultProxy proxy = new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), upstreamPort);
        proxy.connections.execute(proxy::acceptLoop);
        return proxy;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Sends the requests that come from now on to another server. */
    void upstream(int port) {
        upstreamPort = port;
    }

    synchronized void arm(String method, Fault fault) {
        armedMethod = method;
        armedFault = fault;
        fired = false;
        dropNextAbort = false;
    }

    /**
     * Runs {@code action} once, {@code delayMillis} after the next request of {@code method} has
     * been passed on in full, while the server works on it.
     */
    synchronized CompletableFuture<Void> afterForwarding(String method, long delayMillis, Runnable action) {
        return addHook(new Hook(Point.AFTER_FORWARDING, method, delayMillis, action, new CompletableFuture<>()));
    }

    /** Runs {@code action} once, at {@code point} in the next forwarded request of {@code method}. */
    synchronized CompletableFuture<Void> at(Point point, String method, Runnable action) {
        return addHook(new Hook(point, method, 0, action, new CompletableFuture<>()));
    }

    synchronized void clearHooks() {
        hooks.clear();
    }

    private CompletableFuture<Void> addHook(Hook hook) {
        hooks.removeIf(h -> h.point() == hook.point());
        hooks.add(hook);
        return hook.done();
    }

    private synchronized Hook takeHook(Point point, String method) {
        for (Hook hook : hooks) {
            if (hook.point() == point && hook.method().equals(method)) {
                hooks.remove(hook);
                return hook;
            }
        }
        return null;
    }

    synchronized void disarm() {
        armedMethod = null;
        armedFault = null;
        dropNextAbort = false;
    }

    synchronized void dropAborts(boolean drop) {
        dropAborts = drop;
    }

    synchronized boolean fired() {
        return fired;
    }

    int mark() {
        return log.size();
    }

    List<String> exchangesSince(int mark) {
        synchronized (log) {
            return log.subList(mark, log.size()).stream().map(Exchange::toString).toList();
        }
    }

    List<String> methodsSince(int mark) {
        synchronized (log) {
            return log.subList(mark, log.size()).stream().map(Exchange::method).toList();
        }
    }

    private static final java.util.regex.Pattern SESSION_KEY = java.util.regex.Pattern.compile("\"s\"\\s*:\\s*\"([^\"]*)\"");

    /** The session keys ({@code s} of the {@code anki-sync} header) of the requests of {@code method} since the mark. */
    List<String> sessionKeysSince(int mark, String method) {
        synchronized (log) {
            return log.subList(mark, log.size()).stream().filter(e -> e.method.equals(method))
                    .map(e -> SESSION_KEY.matcher(e.syncHeader == null ? "" : e.syncHeader))
                    .map(m -> m.find() ? m.group(1) : "").toList();
        }
    }

    /**
     * Breaks the first request of the armed method. After a lost request or answer the client's
     * abort is lost as well: from the server's view the client vanished mid-sync.
     */
    private synchronized Exchange decide(String method, String syncHeader) {
        Action action = Action.FORWARDED;
        if (!fired && method.equals(armedMethod)) {
            fired = true;
            dropNextAbort = armedFault != Fault.ANSWER_500;
            action = switch (armedFault) {
                case ANSWER_500 -> Action.ANSWERED_500;
                case DROP_RESPONSE -> Action.RESPONSE_DROPPED;
                case DROP_REQUEST -> Action.REQUEST_DROPPED;
            };
        } else if ((dropNextAbort || dropAborts) && method.equals("abort")) {
            dropNextAbort = false;
            action = Action.REQUEST_DROPPED;
        }
        Exchange exchange = new Exchange(method, action, syncHeader);
        log.add(exchange);
        return exchange;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.execute(() -> serve(client));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream fromClient = new BufferedInputStream(client.getInputStream());
            OutputStream toClient = new BufferedOutputStream(client.getOutputStream());
            Head request = Head.read(fromClient);
            if (request == null) {
                return;
            }
            String target = request.startLine().split(" ")[1];
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            // a request the client sent after an answer whose action still runs waits for it
            gate.join();
            Exchange exchange = decide(path.substring(path.lastIndexOf('/') + 1), request.header("anki-sync"));
            Action action = exchange.action;
            if (action == Action.ANSWERED_500 || action == Action.REQUEST_DROPPED) {
                // read all of it first: the client reads an answer only once it has sent everything
                request.copyBody(fromClient, OutputStream.nullOutputStream(), false);
                if (action == Action.ANSWERED_500) {
                    byte[] text = "fault injected by the test proxy\n".getBytes(StandardCharsets.US_ASCII);
                    toClient.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                            + "Content-Length: " + text.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    toClient.write(text);
                    toClient.flush();
                }
                return;
            }
            Hook before = takeHook(Point.BEFORE_FORWARDING, exchange.method);
            if (before != null) {
                before.run();
            }
            int port = upstreamPort;
            Hook answered = null;
            boolean bodyPassedOn = false;
            boolean answering = false;
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                InputStream fromServer = new BufferedInputStream(upstream.getInputStream());
                OutputStream toServer = new BufferedOutputStream(upstream.getOutputStream());
                request.writeForwarded(toServer, "127.0.0.1:" + port);
                request.copyBody(fromClient, toServer, false);
                toServer.flush();
                bodyPassedOn = true;
                Hook forwarded = takeHook(Point.AFTER_FORWARDING, exchange.method);
                if (forwarded != null) {
                    forwarded.runLater();
                }
                Head response = Head.read(fromServer);
                if (response == null) {
                    throw new EOFException("the server closed the connection without an answer");
                }
                exchange.status = Integer.parseInt(response.startLine().split(" ")[1]);
                if (action == Action.RESPONSE_DROPPED) {
                    // the server has done its part; the client hears nothing
                    response.copyBody(fromServer, OutputStream.nullOutputStream(), true);
                    return;
                }
                answered = takeHook(Point.AFTER_ANSWERING, exchange.method);
                if (answered != null) {
                    // set before the client can read the answer, so its next request finds it
                    gate = new CompletableFuture<>();
                }
                answering = true;
                response.writeForwarded(toClient, null);
                if (exchange.method.equals("sanityCheck2") && exchange.status == 200) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    response.copyBody(fromServer, body, true);
                    body.writeTo(toClient);
                    exchange.answer = new String(ZstdFraming.decompress(body.toByteArray(), 1 << 20),
                            StandardCharsets.UTF_8);
                } else {
                    response.copyBody(fromServer, toClient, true);
                }
                toClient.flush();
                exchange.answeredMillis = System.currentTimeMillis();
            } catch (IOException upstreamGone) {
                if (answering || action != Action.FORWARDED) {
                    throw upstreamGone;
                }
                // the server is not there or died before answering: say so as a load balancer would
                exchange.upstreamFailure = "upstream: " + upstreamGone;
                if (!bodyPassedOn) {
                    request.copyBody(fromClient, OutputStream.nullOutputStream(), false);
                }
                byte[] text = ("bad gateway: " + upstreamGone + "\n").getBytes(StandardCharsets.UTF_8);
                toClient.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + text.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                toClient.write(text);
                toClient.flush();
            } finally {
                if (answered != null) {
                    answered.run();
                    gate.complete(null);
                }
            }
        } catch (IOException e) {
            // a connection the client or the server gave up on; the sync itself reports it
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.shutdownNow();
    }

    /** A request or response head: the start line and the headers, in order. */
    record Head(String startLine, List<String[]> headers) {

        static Head read(InputStream in) throws IOException {
            String start = readLine(in);
            if (start == null) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
            }
            return new Head(start, headers);
        }

        String header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        /** Writes this head without hop-by-hop headers; each connection carries one exchange. */
        void writeForwarded(OutputStream out, String host) throws IOException {
            Set<String> dropped = new HashSet<>(HOP_BY_HOP);
            String connection = header("connection");
            if (connection != null) {
                for (String token : connection.split(",")) {
                    dropped.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
            StringBuilder head = new StringBuilder(startLine).append("\r\n");
            if (host != null) {
                head.append("Host: ").append(host).append("\r\n");
            }
            for (String[] h : headers) {
                if (!dropped.contains(h[0].toLowerCase(Locale.ROOT))) {
                    head.append(h[0]).append(": ").append(h[1]).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Copies the body in its own framing; without one, a response runs to the end of the stream. */
        void copyBody(InputStream in, OutputStream out, boolean response) throws IOException {
            String encoding = header("transfer-encoding");
            String length = header("content-length");
            if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                copyChunked(in, out);
            } else if (length != null) {
                copyExactly(in, out, Long.parseLong(length.trim()));
            } else if (response && !startLine.contains(" 204 ") && !startLine.contains(" 304 ")) {
                in.transferTo(out);
            }
        }

        private static void copyChunked(InputStream in, OutputStream out) throws IOException {
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    throw new EOFException("chunked body ended early");
                }
                writeLine(out, sizeLine);
                String size = sizeLine.contains(";") ? sizeLine.substring(0, sizeLine.indexOf(';')) : sizeLine;
                long n = Long.parseLong(size.trim(), 16);
                if (n == 0) {
                    for (String trailer = readLine(in); ; trailer = readLine(in)) {
                        if (trailer == null) {
                            throw new EOFException("chunked body ended early");
                        }
                        writeLine(out, trailer);
                        if (trailer.isEmpty()) {
                            return;
                        }
                    }
                }
                copyExactly(in, out, n);
                if (readLine(in) == null) {
                    throw new EOFException("chunked body ended early");
                }
                writeLine(out, "");
            }
        }

        private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            while (n > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (read < 0) {
                    throw new EOFException("body ended early");
                }
                out.write(buffer, 0, read);
                n -= read;
            }
        }

        /** A line without its CRLF, or null at the end of the stream before any byte. */
        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        }

        private static void writeLine(OutputStream out, String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
