package dev.deckhand.media.cleanup;

import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.DeletedUser;
import reactor.core.publisher.Mono;

/**
 * Deletes a user with everything it owns: its rows in PostgreSQL, then its media blobs. This is
 * what {@code deckhand deluser} runs; {@link AccountService#deleteUser} alone leaves the blobs.
 *
 * <p>The order is what makes a crash harmless. The rows (account, host keys, collection, media
 * index) go in one transaction, and the blobs only once it has committed. A crash in between
 * leaves blobs that no row names, which {@link UnusedBlobSweep} removes later, and never a row
 * whose blob is gone. An upload of the user still in flight on another replica either committed
 * before the deletion (its blobs are deleted with the rest) or fails on the missing user after
 * it, leaving at most blobs for the sweep.
 */
public final class UserDeletion {

    private final AccountService accounts;
    private final MediaBlobStore blobs;

    public UserDeletion(AccountService accounts, MediaBlobStore blobs) {
        this.accounts = accounts;
        this.blobs = blobs;
    }

    /**
     * Deletes the user and then its blobs; empty when there is no such user. Fails with
     * {@link BlobsLeftBehindException} when the blobs could not be deleted: the account is gone
     * by then.
     */
    public Mono<DeletedUser> deleteUser(String username) {
        return accounts.deleteUser(username) // emits once the transaction has committed
                .flatMap(user -> Mono.fromFuture(() -> blobs.deleteUser(user.tenantId(), user.userId()))
                        .onErrorMap(e -> new BlobsLeftBehindException(user, e))
                        .thenReturn(user));
    }

    /** The user is deleted, but some of its media blobs may remain. */
    public static final class BlobsLeftBehindException extends RuntimeException {

        private final transient DeletedUser user;

        BlobsLeftBehindException(DeletedUser user, Throwable cause) {
            super("user '" + user.username() + "' is deleted, but its media files could not all be deleted ("
                    + cause.getMessage() + "); the media sweep removes them later", cause);
            this.user = user;
        }

        public DeletedUser user() {
            return user;
        }
    }
}
