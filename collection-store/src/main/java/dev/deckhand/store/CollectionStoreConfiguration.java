package dev.deckhand.store;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Everything that talks to PostgreSQL, for tools that need all of it (the admin CLI, the store's
 * own tests). Services import only the parts they use: {@link AccountsConfiguration},
 * {@link MediaIndexConfiguration}, {@link CollectionsConfiguration}. Spring Boot provides the
 * R2DBC connection factory, the transaction manager and the Flyway migration from
 * {@code spring.r2dbc.*} and {@code spring.flyway.*}.
 */
@Configuration(proxyBeanMethods = false)
@Import({AccountsConfiguration.class, MediaIndexConfiguration.class, CollectionsConfiguration.class})
public class CollectionStoreConfiguration {}
