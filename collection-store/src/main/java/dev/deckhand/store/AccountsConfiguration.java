package dev.deckhand.store;

import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.collection.CollectionStore;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Accounts and host keys, for every process that authenticates clients or manages users.
 * {@link CollectionStore} comes with them because deleting a user deletes its collection in the
 * same transaction; it needs nothing but R2DBC. The JDBC pool comes along because Flyway migrates
 * through it at start-up.
 */
@Configuration(proxyBeanMethods = false)
@Import({JdbcPoolConfiguration.class, AccountService.class, CollectionStore.class})
public class AccountsConfiguration {}
