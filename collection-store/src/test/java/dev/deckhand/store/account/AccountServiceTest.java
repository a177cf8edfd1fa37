package dev.deckhand.store.account;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.StoreTestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(classes = StoreTestApplication.class)
class AccountServiceTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        StoreTestApplication.freshDatabase(registry);
    }

    @Autowired
    AccountService accounts;
    @Autowired
    DatabaseClient db;

    @Test
    void loginIssuesKeysThatAuthenticate() {
        accounts.addUser("alice", "secret").block();
        String key = accounts.login("alice", "secret").block();
        assertThat(key).isNotBlank();
        AuthenticatedUser user = accounts.authenticate(key).block();
        assertThat(user).isNotNull();
        assertThat(user.username()).isEqualTo("alice");
        assertThat(accounts.login("alice", "secret").block()).as("each login gets its own key").isNotEqualTo(key);
        // only a SHA-256 of the key is stored
        var stored = db.sql("select encode(key_hash, 'hex') as h from host_keys where user_id = :id")
                .bind("id", user.userId()).map((r, m) -> r.get("h", String.class)).all().collectList().block();
        assertThat(stored).contains(java.util.HexFormat.of().formatHex(HostKeys.hash(key)))
                .noneMatch(h -> h.contains(key.substring(key.indexOf('.') + 1)));
    }

    @Test
    void wrongPasswordAndUnknownUserAreAuthFailures() {
        accounts.addUser("bob", "right").block();
        assertThatThrownBy(() -> accounts.login("bob", "wrong").block())
                .isInstanceOfSatisfying(SyncProtocolException.class, e -> assertThat(e.kind()).isEqualTo(SyncErrorKind.AUTH_FAILED));
        assertThatThrownBy(() -> accounts.login("nobody", "right").block())
                .isInstanceOfSatisfying(SyncProtocolException.class, e -> assertThat(e.kind()).isEqualTo(SyncErrorKind.AUTH_FAILED));
        assertThatThrownBy(() -> accounts.login("BOB", "right").block()).as("usernames are case-sensitive")
                .isInstanceOf(SyncProtocolException.class);
    }

    @Test
    void forgedAndRevokedKeysDoNotAuthenticate() {
        accounts.addUser("carol", "pw").block();
        String key = accounts.login("carol", "pw").block();
        String forged = key.substring(0, key.length() - 1) + (key.endsWith("0") ? "1" : "0");
        assertThat(accounts.authenticate(forged).blockOptional()).isEmpty();
        assertThat(accounts.authenticate("garbage").blockOptional()).isEmpty();

        accounts.changePassword("carol", "new").block();
        assertThat(accounts.authenticate(key).blockOptional()).as("passwd revokes keys").isEmpty();
        assertThat(accounts.login("carol", "new").block()).isNotBlank();

        String again = accounts.login("carol", "new").block();
        AuthenticatedUser carol = accounts.authenticate(again).block();
        // the ids under which the caller finds the user's media blobs
        assertThat(accounts.deleteUser("carol").block())
                .isEqualTo(new DeletedUser(carol.userId(), carol.tenantId(), "carol"));
        assertThat(accounts.authenticate(again).blockOptional()).as("deluser revokes keys").isEmpty();
        assertThat(accounts.deleteUser("carol").blockOptional()).isEmpty();
    }

    @Test
    void ensureUserIsIdempotentAndRevokesOnChange() {
        assertThat(accounts.ensureUser("dave", "one", false).block()).isEqualTo(AccountService.Change.CREATED);
        String key = accounts.login("dave", "one").block();
        assertThat(accounts.ensureUser("dave", "one", false).block()).isEqualTo(AccountService.Change.UNCHANGED);
        assertThat(accounts.authenticate(key).blockOptional()).isPresent();
        assertThat(accounts.ensureUser("dave", "two", false).block()).isEqualTo(AccountService.Change.UPDATED);
        assertThat(accounts.authenticate(key).blockOptional()).isEmpty();
        assertThatThrownBy(() -> accounts.login("dave", "one").block()).isInstanceOf(SyncProtocolException.class);

        String phc = "$pbkdf2-sha256$i=1000,l=32$c2FsdHlzYWx0c2FsdDEyMw$6zMo8EjupFW/HMRJU5LZG6c2XpRPl8U8AjMilRm5PF0";
        assertThat(accounts.ensureUser("erin", phc, true).block()).isEqualTo(AccountService.Change.CREATED);
        assertThat(accounts.ensureUser("erin", phc, true).block()).isEqualTo(AccountService.Change.UNCHANGED);
        assertThat(accounts.login("erin", "päss:word").block()).isNotBlank();
        assertThatThrownBy(() -> accounts.ensureUser("frank", "not-a-phc", true).block())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(accounts.listUsers().map(UserAccount::username).collectList().block()).doesNotContain("frank");
    }

    @Test
    void rejectsBadNamesAndDuplicates() {
        accounts.addUser("gina", "pw").block();
        assertThatThrownBy(() -> accounts.addUser("gina", "other").block()).isInstanceOf(AccountException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> accounts.addUser("a:b", "pw").block()).isInstanceOf(AccountException.class);
        assertThatThrownBy(() -> accounts.addUser("", "pw").block()).isInstanceOf(AccountException.class);
        assertThatThrownBy(() -> accounts.addUser("x".repeat(256), "pw").block()).isInstanceOf(AccountException.class);
        assertThatThrownBy(() -> accounts.addUser("hank", "").block()).isInstanceOf(AccountException.class);
        assertThatThrownBy(() -> accounts.changePassword("nobody", "pw").block()).isInstanceOf(AccountException.class);
        assertThat(accounts.listUsers().filter(u -> u.username().equals("gina")).single().block().tenant())
                .isEqualTo(AccountService.DEFAULT_TENANT);
    }
}
