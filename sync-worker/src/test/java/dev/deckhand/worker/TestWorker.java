package dev.deckhand.worker;

import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@link SyncWorkerApplication} per test JVM, as a worker runs in production: on its own
 * fresh PostgreSQL database, serving its HTTP API on 127.0.0.1 with a token, with a payload limit
 * of 1 MiB so that "too large" is cheap to reach. Spring's shutdown hook closes it.
 */
public final class TestWorker {

    public static final String TOKEN = "worker-test-token";
    public static final int MAX_PAYLOAD_MEGS = 1;

    private static TestDatabase db;
    private static ConfigurableApplicationContext context;

    private TestWorker() {}

    public static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            db = TestPostgres.newDatabase();
            List<String> args = new ArrayList<>();
            Map<String, String> properties = new java.util.HashMap<>(db.springProperties());
            properties.put("server.address", "127.0.0.1");
            properties.put("server.port", "0");
            properties.put("deckhand.worker.token", TOKEN);
            properties.put("deckhand.sync.max-payload-megs", Integer.toString(MAX_PAYLOAD_MEGS));
            properties.put("deckhand.sync.temp-dir", Path.of("target", "test-worker-tmp").toAbsolutePath().toString());
            properties.forEach((k, v) -> args.add("--" + k + "=" + v));
            context = new SpringApplicationBuilder(SyncWorkerApplication.class).run(args.toArray(String[]::new));
        }
        return context;
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context()).getWebServer().getPort() + "/";
    }

    /** A new user of the default tenant, straight in SQL: workers have no accounts of their own. */
    public static long newUser(String prefix) {
        context();
        return Long.parseLong(query("insert into users (tenant_id, username, password_hash) "
                + "select id, '" + prefix + "-" + System.nanoTime() + "', 'x' from tenants where name = 'default' returning id"));
    }

    public static String query(String sql) {
        context();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
