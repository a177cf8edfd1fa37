package dev.deckhand.media.http;

import dev.deckhand.media.blob.TestS3;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The media protocol with blobs in an S3-compatible server (s3proxy, in this JVM). */
class MediaSyncOnS3Test extends MediaSyncHttpContract {

    static TestS3 s3;
    static int runs;

    @BeforeAll
    static void startS3() {
        s3 = TestS3.inMemory();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    /** Each test gets its own prefix, so that blob counts are the test's own. */
    String prefix;

    @Override
    Map<String, String> storeProperties() {
        prefix = "run" + (++runs) + "/";
        return s3.springProperties(prefix);
    }

    @Override
    long storedBlobs() {
        long[] count = {0};
        s3.client().listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix)).contents()
                .subscribe(o -> count[0]++).join();
        return count[0];
    }
}
