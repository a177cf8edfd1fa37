package dev.deckhand.server.embedded;

/**
 * How to reach a PostgreSQL server on the loopback interface.
 *
 * <p>The embedded cluster uses zonky's {@code initdb -A trust}, so the password is empty and any
 * local user who can reach the port connects as the superuser.
 */
public record RunningPostgres(int port, String jdbcUrl, String r2dbcUrl, String username, String password) {

    /** Address PostgreSQL listens on; the URLs name it literally so "localhost" resolving to ::1 cannot bite. */
    public static final String HOST = "127.0.0.1";
    /** Database the server keeps its data in; created on first start (the name is also in create-deckhand-database.sql). */
    public static final String DATABASE = "deckhand";
    /** Superuser created by zonky's initdb. */
    public static final String SUPERUSER = "postgres";

    static RunningPostgres onLoopback(int port) {
        return onLoopback(port, DATABASE);
    }

    static RunningPostgres onLoopback(int port, String database) {
        String address = HOST + ":" + port + "/" + database;
        return new RunningPostgres(port, "jdbc:postgresql://" + address, "r2dbc:postgresql://" + address, SUPERUSER, "");
    }

    public String host() {
        return HOST;
    }
}
