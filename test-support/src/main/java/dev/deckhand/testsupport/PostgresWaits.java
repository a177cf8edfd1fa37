package dev.deckhand.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * For tests that stop a server step at a known point by holding a lock it needs: which backend
 * holds the lock, and when a statement of the step is waiting for it.
 */
public final class PostgresWaits {

    private PostgresWaits() {}

    /** The PostgreSQL backend process of {@code connection} ({@code pg_backend_pid()}). */
    public static int backendPid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("select pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * Polls, on {@code observer}, until some statement waits for a lock {@code backend} holds;
     * false if none does within {@code limit}.
     */
    public static boolean awaitWaiterOn(Connection observer, int backend, Duration limit)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (PreparedStatement s = observer.prepareStatement(
                "select count(*) from pg_stat_activity where ? = any(pg_blocking_pids(pid))")) {
            s.setInt(1, backend);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(10);
            }
        }
        return false;
    }
}
