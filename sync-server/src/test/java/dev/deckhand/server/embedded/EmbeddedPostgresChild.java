package dev.deckhand.server.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** A server process for the tests to kill hard: starts PostgreSQL, writes a row, reports and waits. */
public final class EmbeddedPostgresChild {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0, false);
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)");
            statement.execute("INSERT INTO notes VALUES (1, 'written before the crash')");
        }
        System.out.println("READY " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
