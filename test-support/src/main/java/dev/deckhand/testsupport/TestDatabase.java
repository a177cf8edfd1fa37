package dev.deckhand.testsupport;

import java.util.Map;

/** Coordinates of one PostgreSQL database created for one test context. */
public record TestDatabase(String host, int port, String database, String user, String password) {

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Spring properties that point R2DBC and the JDBC pool (COPY out, Flyway) at this database. */
    public Map<String, String> springProperties() {
        return Map.of(
                "spring.r2dbc.url", r2dbcUrl(),
                "spring.r2dbc.username", user,
                "spring.r2dbc.password", password,
                "deckhand.jdbc.url", jdbcUrl(),
                "deckhand.jdbc.username", user,
                "deckhand.jdbc.password", password);
    }
}
