package dev.deckhand.store.account;

/** An account operation that cannot be done as asked; the message is for the operator. */
public class AccountException extends RuntimeException {
    public AccountException(String message) {
        super(message);
    }
}
