package dev.deckhand.protocol.message;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * Answer to {@code /sync/meta}. Note the mixed key naming on the wire: {@code hostNum} is camel
 * case but {@code media_usn} is snake case; 23.10+ clients fail without {@code media_usn}.
 *
 * @param mod      server collection modification time, milliseconds
 * @param scm      server schema modification time, milliseconds
 * @param usn      server collection usn
 * @param ts       server clock, <b>seconds</b> (clients refuse to sync when off by more than 300 s)
 * @param msg      message shown to the user, normally empty
 * @param cont     {@code false} refuses the sync and shows {@code msg}
 * @param hostNum  legacy shard number, always 0 for a custom server
 * @param empty    whether the server collection has no cards
 * @param mediaUsn server media usn ({@code media_usn})
 */
@JsonPropertyOrder({"mod", "scm", "usn", "ts", "msg", "cont", "hostNum", "empty", "media_usn"})
public record MetaResponse(
        long mod,
        long scm,
        int usn,
        long ts,
        String msg,
        boolean cont,
        int hostNum,
        // Optional on input, as in the client's parser (defaults to false).
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean empty,
        @JsonProperty("media_usn") int mediaUsn) {

    public MetaResponse {
        Objects.requireNonNull(msg, "msg");
    }

    /** A normal "go ahead" answer: empty message, {@code cont = true}, {@code hostNum = 0}. */
    public static MetaResponse of(long mod, long scm, int usn, long tsSeconds, boolean empty, int mediaUsn) {
        return new MetaResponse(mod, scm, usn, tsSeconds, "", true, 0, empty, mediaUsn);
    }
}
