package dev.deckhand.media.blob;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

import java.net.URI;
import java.nio.file.Path;

/**
 * Chooses where media bytes live: {@code deckhand.media.store} is {@code filesystem} (default,
 * under {@code deckhand.media.filesystem.root}) or {@code s3} ({@code deckhand.media.s3.*}).
 * Wrong or missing settings stop the start-up with a message naming the property.
 */
@Configuration(proxyBeanMethods = false)
public class MediaStorageConfiguration {

    static final String S3_CLIENT = "mediaS3Client";

    @Bean
    MediaBlobStore mediaBlobStore(@Value("${deckhand.media.store:filesystem}") String store,
                                  @Value("${deckhand.media.filesystem.root:}") String root,
                                  @Value("${deckhand.media.s3.bucket:}") String bucket,
                                  @Value("${deckhand.media.s3.prefix:}") String prefix,
                                  @Qualifier(S3_CLIENT) ObjectProvider<S3AsyncClient> s3) {
        return switch (store.trim()) {
            case "filesystem" -> {
                if (root.isBlank()) {
                    throw new IllegalStateException("deckhand.media.filesystem.root must name the folder for media files "
                            + "(or set deckhand.media.store=s3)");
                }
                yield new FilesystemBlobStore(Path.of(root.trim()));
            }
            case "s3" -> {
                if (bucket.isBlank()) {
                    throw new IllegalStateException("deckhand.media.store=s3 needs deckhand.media.s3.bucket");
                }
                // the client is built only here, so a filesystem store never starts one
                yield new S3BlobStore(s3.getObject(), bucket.trim(), prefix.trim());
            }
            default -> throw new IllegalStateException(
                    "deckhand.media.store must be 'filesystem' or 's3', not '" + store + "'");
        };
    }

    /** Lazy: created only for the S3 store; Spring closes it (and its Netty threads) at shutdown. */
    @Bean(S3_CLIENT)
    @Lazy
    S3AsyncClient mediaS3Client(@Value("${deckhand.media.s3.endpoint:}") String endpoint,
                                @Value("${deckhand.media.s3.region:}") String region,
                                @Value("${deckhand.media.s3.path-style:false}") boolean pathStyle,
                                @Value("${deckhand.media.s3.access-key:}") String accessKey,
                                @Value("${deckhand.media.s3.secret-key:}") String secretKey) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .forcePathStyle(pathStyle);
        if (!endpoint.isBlank()) {
            try {
                builder.endpointOverride(URI.create(endpoint.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("deckhand.media.s3.endpoint is not a URL: " + endpoint, e);
            }
        }
        if (!region.isBlank()) {
            builder.region(Region.of(region.trim()));
        } else if (!endpoint.isBlank()) {
            // S3-compatible servers mostly ignore the region, but requests are signed with one
            builder.region(Region.US_EAST_1);
        }
        if (accessKey.isBlank() != secretKey.isBlank()) {
            throw new IllegalStateException("set both deckhand.media.s3.access-key and deckhand.media.s3.secret-key, or neither");
        }
        builder.credentialsProvider(accessKey.isBlank()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.trim(), secretKey.trim())));
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw new IllegalStateException("cannot set up the S3 client for media (is deckhand.media.s3.region set?): "
                    + e.getMessage(), e);
        }
    }
}
