package dev.deckhand.worker;

/** Who a forwarded operation is for; everything else a worker needs lives in PostgreSQL or Redis. */
public record WorkContext(long userId) {}
