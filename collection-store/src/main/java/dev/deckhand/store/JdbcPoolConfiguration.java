package dev.deckhand.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.r2dbc.spi.ConnectionFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;

/**
 * The JDBC side of the database, for what R2DBC cannot do: a small fixed pool of PostgreSQL
 * connections (HikariCP) that full downloads read their COPY out through
 * ({@link dev.deckhand.store.fullsync.CollectionExporter}). Being the context's only
 * {@code DataSource}, it is also the one Flyway migrates at start-up. Configured by
 * {@code deckhand.jdbc.url}, {@code .username}, {@code .password} and {@code .pool-size};
 * it closes with the context.
 *
 * <p>Spring Boot's own JDBC pool stays off: its JDBC auto-configuration backs off when there is
 * an R2DBC connection factory, and the application's data access is R2DBC.
 */
@Configuration(proxyBeanMethods = false)
public class JdbcPoolConfiguration {

    @Bean(destroyMethod = "close")
    HikariDataSource jdbcPool(@Value("${deckhand.jdbc.url}") String url,
                              @Value("${deckhand.jdbc.username:postgres}") String username,
                              @Value("${deckhand.jdbc.password:}") String password,
                              @Value("${deckhand.jdbc.pool-size:4}") int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("deckhand-jdbc");
        config.setJdbcUrl(url);
        config.setUsername(username);
        config.setPassword(password);
        // fixed: as many idle connections as the pool may hold
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        return new HikariDataSource(config);
    }

    /**
     * R2DBC's transaction manager, declared as Spring Boot declares it. Left to Spring Boot, a
     * {@code DataSource} in the context would bring a JDBC transaction manager beside it (JDBC's
     * auto-configuration comes first), and two transaction managers make {@code @Transactional}
     * ambiguous. The pool needs none: the exporter runs its own transaction on its connection.
     */
    @Bean
    R2dbcTransactionManager connectionFactoryTransactionManager(ConnectionFactory connectionFactory) {
        return new R2dbcTransactionManager(connectionFactory);
    }
}
