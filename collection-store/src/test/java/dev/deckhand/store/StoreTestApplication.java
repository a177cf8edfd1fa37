package dev.deckhand.store;

import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The store alone on a fresh database: what the store's integration tests boot. */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(CollectionStoreConfiguration.class)
public class StoreTestApplication {

    public static void freshDatabase(DynamicPropertyRegistry registry) {
        TestDatabase db = TestPostgres.newDatabase();
        db.springProperties().forEach((k, v) -> registry.add(k, () -> v));
    }
}
