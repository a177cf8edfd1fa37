package dev.deckhand.store;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * Everything that talks to PostgreSQL. Spring Boot provides the R2DBC connection factory,
 * the transaction manager and the Flyway migration from {@code spring.r2dbc.*} and
 * {@code spring.flyway.*}.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = CollectionStoreConfiguration.class)
public class CollectionStoreConfiguration {}
