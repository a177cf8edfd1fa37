package dev.deckhand.testsupport;

import java.net.URI;
import java.util.Map;

/** The {@code deckhand.media.*} Spring properties that put a server's media bytes in a test S3 server's bucket. */
public final class MediaS3Properties {

    private MediaS3Properties() {
    }

    /** Path-style addressing, since test S3 servers have no virtual-host buckets. */
    public static Map<String, String> of(URI endpoint, String region, String bucket, String prefix, String accessKey,
            String secretKey) {
        return Map.of(
                "deckhand.media.store", "s3",
                "deckhand.media.s3.endpoint", endpoint.toString(),
                "deckhand.media.s3.region", region,
                "deckhand.media.s3.bucket", bucket,
                "deckhand.media.s3.prefix", prefix,
                "deckhand.media.s3.path-style", "true",
                "deckhand.media.s3.access-key", accessKey,
                "deckhand.media.s3.secret-key", secretKey);
    }
}
