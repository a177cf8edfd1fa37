package dev.deckhand.store.account;

import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.sql.SqlFile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.Optional;


/**
 * Users, passwords and host keys. Password hashing is deliberately slow, so it runs on the
 * bounded-elastic scheduler, never on an event loop.
 */
@Service
public class AccountService {

    public static final String DEFAULT_TENANT = "default";
    private static final int MAX_USERNAME_LENGTH = 255;
    // Verified when the user does not exist, so that a wrong name takes as long as a wrong password.
    private static final String DUMMY_HASH = PasswordHashes.hash("deckhand-timing-equaliser");

    public enum Change { CREATED, UPDATED, UNCHANGED }

    private static final String DELETE_USER = SqlFile.load(AccountService.class, "delete-user");
    private static final String SELECT_USERS = SqlFile.load(AccountService.class, "select-users");
    private static final String SELECT_USER_BY_NAME = SqlFile.load(AccountService.class, "select-user-by-name");
    private static final String SELECT_LOGIN_OF_USER = SqlFile.load(AccountService.class, "select-login-of-user");
    private static final String SELECT_USER_OF_HOST_KEY = SqlFile.load(AccountService.class, "select-user-of-host-key");
    private static final String DELETE_HOST_KEYS_OF_USER = SqlFile.load(AccountService.class, "delete-host-keys-of-user");
    private static final String INSERT_HOST_KEY = SqlFile.load(AccountService.class, "insert-host-key");
    private static final String INSERT_USER = SqlFile.load(AccountService.class, "insert-user");
    private static final String UPDATE_PASSWORD = SqlFile.load(AccountService.class, "update-password");
    private static final String SELECT_USER_ID = SqlFile.load(AccountService.class, "select-user-id");
    private static final String SELECT_PASSWORD_HASH = SqlFile.load(AccountService.class, "select-password-hash");

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final CollectionStore collections;

    public AccountService(DatabaseClient db, TransactionalOperator tx, CollectionStore collections) {
        this.db = db;
        this.tx = tx;
        this.collections = collections;
    }

    /** Adds a user with a plain password to the default tenant. */
    public Mono<UserAccount> addUser(String username, String password) {
        return Mono.fromCallable(() -> {
                    validateUsername(username);
                    validatePassword(password);
                    return PasswordHashes.hash(password);
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(hash -> findUserId(username)
                        .flatMap(id -> Mono.<UserAccount>error(new AccountException("user '" + username + "' already exists")))
                        .switchIfEmpty(Mono.defer(() -> insertUser(username, hash).then(findUser(username)))));
    }

    /**
     * Makes a user exist with this password, as {@code SYNC_USERn} does at start-up: idempotent,
     * and a changed password revokes the user's host keys.
     *
     * @param secret a plain password, or a PHC string when {@code hashed}
     */
    public Mono<Change> ensureUser(String username, String secret, boolean hashed) {
        return Mono.fromCallable(() -> {
                    validateUsername(username);
                    if (hashed) {
                        PasswordHashes.requireSupported(secret);
                    } else {
                        validatePassword(secret);
                    }
                    return true;
                })
                .then(findPasswordHash(username).map(Optional::of).defaultIfEmpty(Optional.empty()))
                .flatMap(stored -> {
                    if (stored.isEmpty()) {
                        return hashOf(secret, hashed).flatMap(h -> insertUser(username, h)).thenReturn(Change.CREATED);
                    }
                    return matches(stored.get(), secret, hashed).flatMap(same -> same
                            ? Mono.just(Change.UNCHANGED)
                            : hashOf(secret, hashed).flatMap(h -> replacePassword(username, h)).thenReturn(Change.UPDATED));
                });
    }

    /**
     * Deletes the user, its host keys and its data (collection and media index) in one
     * transaction, and returns whom it deleted; empty when there was no such user.
     *
     * <p>The user's media blobs are not in PostgreSQL, so they stay. Delete them after this has
     * committed, with the returned ids (media-service's {@code UserDeletion} does both): a crash
     * in between then leaves blobs without rows, which the media sweep removes, never rows
     * without blobs.
     */
    public Mono<DeletedUser> deleteUser(String username) {
        return findUserId(username)
                .flatMap(id -> collections.deleteCollection(id)
                        .then(db.sql(DELETE_USER).bind("id", id)
                                .map((row, meta) -> new DeletedUser(id, row.get("tenant_id", Long.class), username))
                                .one()))
                .as(tx::transactional);
    }

    public Flux<UserAccount> listUsers() {
        return db.sql(SELECT_USERS).map(AccountService::userAccount).all();
    }

    private static UserAccount userAccount(io.r2dbc.spi.Readable row) {
        return new UserAccount(row.get("id", Long.class), row.get("tenant", String.class), row.get("username", String.class),
                row.get("created_at", java.time.OffsetDateTime.class).toInstant(), row.get("host_keys", Long.class));
    }

    /** Sets a new password and revokes every host key, logging the user out on all devices. */
    public Mono<Void> changePassword(String username, String password) {
        return Mono.fromCallable(() -> {
                    validatePassword(password);
                    return PasswordHashes.hash(password);
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(hash -> replacePassword(username, hash))
                .flatMap(updated -> updated ? Mono.<Void>empty()
                        : Mono.error(new AccountException("no user '" + username + "'")));
    }

    /** Checks the password and issues a new host key; {@code 403} in the protocol's terms otherwise. */
    public Mono<String> login(String username, String password) {
        return db.sql(SELECT_LOGIN_OF_USER).bind("u", username)
                .map((row, meta) -> Optional.of(new StoredPassword(row.get("id", Long.class), row.get("password_hash", String.class))))
                .one()
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> Mono.fromCallable(() -> PasswordHashes.verify(
                                found.map(StoredPassword::hash).orElse(DUMMY_HASH), password) && found.isPresent())
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(ok -> ok ? issueHostKey(found.get().userId())
                                : Mono.error(SyncProtocolException.authFailed("invalid username or password"))));
    }

    private record StoredPassword(long userId, String hash) {}

    /** The user a host key belongs to; empty when the key is unknown or revoked. */
    public Mono<AuthenticatedUser> authenticate(String hostKey) {
        return Mono.justOrEmpty(HostKeys.parse(hostKey))
                .flatMap(key -> db.sql(SELECT_USER_OF_HOST_KEY)
                        .bind("id", key.userId()).bind("hash", key.hash())
                        .map((row, meta) -> new AuthenticatedUser(row.get("id", Long.class),
                                row.get("tenant_id", Long.class), row.get("username", String.class)))
                        .one());
    }

    /** Revokes every host key of the user. */
    private Mono<Long> revokeHostKeys(String username) {
        return db.sql(DELETE_HOST_KEYS_OF_USER)
                .bind("u", username).fetch().rowsUpdated();
    }

    private Mono<String> issueHostKey(long userId) {
        String key = HostKeys.newKey(userId);
        return db.sql(INSERT_HOST_KEY)
                .bind("id", userId).bind("hash", HostKeys.hash(key))
                .fetch().rowsUpdated().thenReturn(key);
    }

    private Mono<Void> insertUser(String username, String hash) {
        return db.sql(INSERT_USER)
                .bind("u", username).bind("h", hash).bind("t", DEFAULT_TENANT)
                .fetch().rowsUpdated().then();
    }

    private Mono<Boolean> replacePassword(String username, String hash) {
        Mono<Boolean> work = db.sql(UPDATE_PASSWORD)
                .bind("h", hash).bind("u", username).fetch().rowsUpdated()
                .flatMap(n -> n == 0 ? Mono.just(false) : revokeHostKeys(username).thenReturn(true));
        return work.as(tx::transactional);
    }

    private Mono<Long> findUserId(String username) {
        return db.sql(SELECT_USER_ID).bind("u", username)
                .map((row, meta) -> row.get("id", Long.class)).one();
    }

    private Mono<String> findPasswordHash(String username) {
        return db.sql(SELECT_PASSWORD_HASH).bind("u", username)
                .map((row, meta) -> row.get("password_hash", String.class)).one();
    }

    private Mono<UserAccount> findUser(String username) {
        return db.sql(SELECT_USER_BY_NAME).bind("u", username).map(AccountService::userAccount).one();
    }

    private static Mono<String> hashOf(String secret, boolean hashed) {
        return hashed ? Mono.just(secret)
                : Mono.fromCallable(() -> PasswordHashes.hash(secret)).subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Boolean> matches(String stored, String secret, boolean hashed) {
        if (hashed) {
            return Mono.just(stored.equals(secret));
        }
        return Mono.fromCallable(() -> PasswordHashes.verify(stored, secret)).subscribeOn(Schedulers.boundedElastic());
    }

    static void validateUsername(String username) {
        if (username == null || username.isEmpty()) {
            throw new AccountException("username must not be empty");
        }
        if (username.length() > MAX_USERNAME_LENGTH) {
            throw new AccountException("username is longer than " + MAX_USERNAME_LENGTH + " characters");
        }
        if (username.contains(":") || username.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
            throw new AccountException("username must not contain ':', spaces or control characters");
        }
    }

    static void validatePassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new AccountException("password must not be empty");
        }
        if (password.length() > 1024) {
            throw new AccountException("password is longer than 1024 characters");
        }
    }

}
