package dev.deckhand.edge;

import dev.deckhand.protocol.SyncHeader;

/** A sync or media request after framing: its header and its unpacked payload. */
public record DecodedRequest(SyncHeader header, byte[] payload) {}
