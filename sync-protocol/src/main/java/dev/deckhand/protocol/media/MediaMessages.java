package dev.deckhand.protocol.media;

import java.util.List;

/**
 * The JSON messages of media sync ({@code /msync/*}), with their exact wire names. Requests check
 * themselves as they are read ({@link dev.deckhand.protocol.SyncJson#read(byte[], Class)}): a
 * missing or impossible value is BAD_REQUEST. The upload's zip and the download's zip are not
 * JSON and are read elsewhere.
 */
public final class MediaMessages {

    private MediaMessages() {}

    /** Every answer but {@code downloadFiles}' is wrapped so; {@code err} must be present and empty. */
    public record MediaEnvelope(Object data, String err) {

        public static MediaEnvelope ok(Object data) {
            return new MediaEnvelope(data, "");
        }
    }

    /** A failure the client shows to the user as it is: an {@code err} with no {@code data}. */
    public record MediaError(String err) {}

    /** {@code begin}: {@code {"v": "<client version>"}}. */
    public record BeginRequest(String v) {
        public BeginRequest {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("media begin needs the client version 'v'");
            }
        }
    }

    /** {@code begin}'s answer: the server's media usn, and a session key legacy clients send back. */
    public record BeginResponse(int usn, String sk) {}

    /** {@code mediaChanges}: the changes after {@code lastUsn}. */
    public record ChangesRequest(Integer lastUsn) {
        public ChangesRequest {
            if (lastUsn == null || lastUsn < 0) {
                throw new IllegalArgumentException("mediaChanges needs a 'lastUsn' of 0 or more");
            }
        }
    }

    /** {@code mediaSanity}: the client's count of files. */
    public record SanityRequest(Long local) {
        public SanityRequest {
            if (local == null || local < 0) {
                throw new IllegalArgumentException("mediaSanity needs a 'local' file count of 0 or more");
            }
        }
    }

    /** {@code downloadFiles}: the names wanted, in the order the zip should hold them. */
    public record DownloadFilesRequest(List<String> files) {
        public DownloadFilesRequest {
            if (files == null || files.stream().anyMatch(f -> f == null)) {
                throw new IllegalArgumentException("downloadFiles needs a list of file names in 'files'");
            }
        }
    }
}
