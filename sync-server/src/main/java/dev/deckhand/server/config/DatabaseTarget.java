package dev.deckhand.server.config;

import java.util.Map;

/** The PostgreSQL database a process uses, whether external or embedded. */
public record DatabaseTarget(String jdbcUrl, String username, String password) {

    public String r2dbcUrl() {
        return "r2dbc:" + jdbcUrl.substring("jdbc:".length());
    }

    /** R2DBC for the application, the JDBC pool for COPY out and Flyway's migrations. */
    public Map<String, Object> springProperties() {
        return Map.of(
                "spring.r2dbc.url", r2dbcUrl(),
                "spring.r2dbc.username", username,
                "spring.r2dbc.password", password,
                "deckhand.jdbc.url", jdbcUrl,
                "deckhand.jdbc.username", username,
                "deckhand.jdbc.password", password);
    }
}
