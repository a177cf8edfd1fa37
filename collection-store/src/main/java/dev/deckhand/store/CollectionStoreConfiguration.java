package dev.deckhand.store;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Everything that talks to PostgreSQL. Spring Boot provides the R2DBC connection factory and
 * its transaction manager from {@code spring.r2dbc.*}; the JDBC pool ({@code deckhand.jdbc.*},
 * {@link JdbcPoolConfiguration}) serves COPY out, and Spring Boot's Flyway migrates through it.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = CollectionStoreConfiguration.class)
@Import(JdbcPoolConfiguration.class)
public class CollectionStoreConfiguration {}
