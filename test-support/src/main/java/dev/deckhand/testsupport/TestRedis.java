package dev.deckhand.testsupport;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;

/**
 * The Redis server tests use: the one named by {@code TEST_REDIS_URL} ({@code redis://host:port}),
 * or else an embedded one started once per JVM. Tests share it, so each test context takes its own
 * key prefix from {@link #newKeyPrefix()}.
 */
public final class TestRedis {

    public static final String URL_VARIABLE = "TEST_REDIS_URL";

    public record Endpoint(String host, int port) {
        public String url() {
            return "redis://" + host + ":" + port;
        }
    }

    private static Endpoint endpoint;

    private TestRedis() {}

    public static synchronized Endpoint endpoint() {
        if (endpoint == null) {
            String url = System.getenv(URL_VARIABLE);
            if (url != null && !url.isBlank()) {
                URI uri = URI.create(url);
                endpoint = new Endpoint(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
            } else {
                endpoint = startEmbedded();
            }
        }
        return endpoint;
    }

    public static String newKeyPrefix() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    private static Endpoint startEmbedded() {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly no").build();
            redis.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    redis.stop();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }, "embedded-redis-stop"));
            return new Endpoint("127.0.0.1", port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
    }
}
