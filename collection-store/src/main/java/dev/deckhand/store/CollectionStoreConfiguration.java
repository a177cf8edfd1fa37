package dev.deckhand.store;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Everything that talks to PostgreSQL, for tools that need all of it (the store's own tests).
 * Services import only the parts they use: {@link AccountsConfiguration},
 * {@link MediaIndexConfiguration}, {@link CollectionsConfiguration}; each brings
 * {@link JdbcPoolConfiguration}, the JDBC pool that Flyway migrates through at start-up (and
 * full downloads read through). Spring Boot provides the R2DBC connection factory from
 * {@code spring.r2dbc.*}.
 */
@Configuration(proxyBeanMethods = false)
@Import({AccountsConfiguration.class, MediaIndexConfiguration.class, CollectionsConfiguration.class})
public class CollectionStoreConfiguration {}
