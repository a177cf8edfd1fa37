package dev.deckhand.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDBC pool: configured by {@code deckhand.jdbc.*}, the context's only {@code DataSource}
 * (so Flyway migrates through it) beside R2DBC's only transaction manager, and closed with the context.
 */
class JdbcPoolTest {

    @Test
    void theContextsOnlyDataSourceIsAFixedPoolThatMigratesAndClosesWithTheContext() throws Exception {
        Map<String, Object> properties = new HashMap<>(TestPostgres.newDatabase().springProperties());
        properties.put("deckhand.jdbc.pool-size", 2);
        HikariDataSource pool;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(StoreTestApplication.class)
                .web(WebApplicationType.NONE).properties(properties).run()) {
            assertThat(context.getBeansOfType(DataSource.class)).hasSize(1);
            assertThat(context.getBeansOfType(TransactionManager.class).values()).as("R2DBC's alone")
                    .singleElement().isInstanceOf(ReactiveTransactionManager.class);
            pool = (HikariDataSource) context.getBean(DataSource.class);
            assertThat(pool.getMaximumPoolSize()).isEqualTo(2);
            assertThat(pool.getMinimumIdle()).isEqualTo(2);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from flyway_schema_history where success")) {
                rs.next();
                assertThat(rs.getInt(1)).as("migrations applied through the pool").isPositive();
            }
            assertThat(pool.isClosed()).isFalse();
        }
        assertThat(pool.isClosed()).as("closed with the context").isTrue();
    }
}
