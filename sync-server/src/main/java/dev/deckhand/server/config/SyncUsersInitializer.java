package dev.deckhand.server.config;

import dev.deckhand.store.account.AccountService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Creates or updates the {@code SYNC_USERn} accounts at start-up, before the server reports
 * itself ready. Running it again with the same variables changes nothing.
 */
public final class SyncUsersInitializer implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SyncUsersInitializer.class);

    private final ServerSettings settings;
    private final AccountService accounts;

    public SyncUsersInitializer(ServerSettings settings, AccountService accounts) {
        this.settings = settings;
        this.accounts = accounts;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (settings.users().isEmpty()) {
            log.warn("no SYNC_USER1 is set: only accounts made with the admin CLI can log in");
        }
        for (ServerSettings.SyncUser user : settings.users()) {
            try {
                AccountService.Change change = accounts.ensureUser(user.username(), user.secret(), settings.passwordsHashed()).block();
                log.info("{}: user '{}' {}", user.variable(), user.username(), change.name().toLowerCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(user.variable() + ": " + e.getMessage()
                        + (settings.passwordsHashed() ? " (PASSWORDS_HASHED is set, so the password must be a PHC string)" : ""), e);
            }
        }
    }
}
