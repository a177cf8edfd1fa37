package dev.deckhand.server.config;

import java.util.Map;

/** The PostgreSQL database a process uses, whether external or embedded. */
public record DatabaseTarget(String jdbcUrl, String username, String password) {

    public String r2dbcUrl() {
        return "r2dbc:" + jdbcUrl.substring("jdbc:".length());
    }

    /** R2DBC for the application, JDBC for Flyway's migrations. */
    public Map<String, Object> springProperties() {
        return Map.of(
                "spring.r2dbc.url", r2dbcUrl(),
                "spring.r2dbc.username", username,
                "spring.r2dbc.password", password,
                "spring.flyway.url", jdbcUrl,
                "spring.flyway.user", username,
                "spring.flyway.password", password);
    }
}
