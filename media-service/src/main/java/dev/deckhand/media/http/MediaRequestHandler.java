package dev.deckhand.media.http;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.DecodedRequest;
import dev.deckhand.payload.ScratchFiles;
import dev.deckhand.payload.StreamedPayload;
import dev.deckhand.edge.SyncResponses;
import dev.deckhand.media.sync.MediaQuotaExceededException;
import dev.deckhand.media.sync.MediaSync;
import dev.deckhand.media.sync.UploadBatch;
import dev.deckhand.protocol.MediaLimits;
import dev.deckhand.protocol.MediaMethod;
import dev.deckhand.protocol.SyncJson;
import dev.deckhand.protocol.media.MediaMessages.BeginRequest;
import dev.deckhand.protocol.media.MediaMessages.BeginResponse;
import dev.deckhand.protocol.media.MediaMessages.ChangesRequest;
import dev.deckhand.protocol.media.MediaMessages.DownloadFilesRequest;
import dev.deckhand.protocol.media.MediaMessages.MediaEnvelope;
import dev.deckhand.protocol.media.MediaMessages.MediaError;
import dev.deckhand.protocol.media.MediaMessages.SanityRequest;
import dev.deckhand.protocol.SyncPath;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.store.account.AuthenticatedUser;
import dev.deckhand.store.media.MediaIndexStore;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The edge of media sync: every {@code <prefix>/msync/<method>}. Media requests ignore
 * collection sync sessions entirely, so clients may run both at once.
 *
 * <p>Answers are JSON wrapped as {@code {"data": …, "err": ""}}, except {@code downloadFiles},
 * which answers a zip. A refused request gets the protocol's status; an upload past the user's
 * quota gets {@code {"err": "<message>"}} without {@code data}, which clients show as it is.
 */
public final class MediaRequestHandler {

    static final String METRIC = "deckhand.media.requests";
    /** An upload zip as sent and as unpacked: the protocol's largest batch plus room for headers. */
    private static final long MAX_UPLOAD_ZIP_BYTES = MediaLimits.MAX_UPLOAD_BYTES + MediaLimits.MAX_META_BYTES + 1024 * 1024;

    private final AnkiEndpoint endpoint;
    private final MediaIndexStore index;
    private final MediaSync media;

    public MediaRequestHandler(AnkiEndpoint endpoint, MediaIndexStore index, MediaSync media) {
        this.endpoint = endpoint;
        this.index = index;
        this.media = media;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(
                request -> SyncPath.parse(request.path()).filter(p -> p.kind() == SyncPath.Kind.MEDIA).isPresent(),
                this::handle);
    }

    private Mono<ServerResponse> handle(ServerRequest request) {
        String name = SyncPath.parse(request.path()).orElseThrow().methodName();
        Optional<MediaMethod> method = MediaMethod.fromWireName(name);
        String tag = method.map(MediaMethod::wireName).orElse("unknown");
        if (method.isPresent() && method.get() == MediaMethod.UPLOAD_CHANGES) {
            return endpoint.serveStreamed(request, METRIC, tag, (header, body) -> endpoint.authenticate(header)
                    .flatMap(user -> media.upload(user, folder -> StreamedPayload.read(body, MAX_UPLOAD_ZIP_BYTES,
                                    MAX_UPLOAD_ZIP_BYTES, zip -> UploadBatch.read(zip, folder)))
                            .<Object>map(result -> List.of(result.processed(), result.usn()))
                            .<Object>map(MediaEnvelope::ok)
                            .onErrorResume(MediaQuotaExceededException.class, e -> Mono.just(new MediaError(e.getMessage()))))
                    .flatMap(answer -> SyncResponses.payload(SyncJson.write(answer), header)));
        }
        return endpoint.serve(request, METRIC, tag, decoded -> {
            MediaMethod m = method.orElseThrow(() -> SyncProtocolException.notFound("unknown media method '" + name + "'"));
            return endpoint.authenticate(decoded.header()).flatMap(user -> m == MediaMethod.DOWNLOAD_FILES
                    ? downloadFiles(decoded, user)
                    : operation(m, decoded, user).flatMap(data -> SyncResponses.payload(SyncJson.write(MediaEnvelope.ok(data)),
                            decoded.header())));
        });
    }

    private Mono<Object> operation(MediaMethod method, DecodedRequest request, AuthenticatedUser user) {
        return switch (method) {
            case BEGIN -> {
                SyncJson.read(request.payload(), BeginRequest.class);
                // v11 clients ignore sk; legacy ones send it back, and it is the host key there too
                yield index.currentUsn(user.userId()).map(usn -> new BeginResponse(usn, request.header().hostKey()));
            }
            case MEDIA_CHANGES -> {
                ChangesRequest changes = SyncJson.read(request.payload(), ChangesRequest.class);
                yield media.changes(user.userId(), changes.lastUsn()).cast(Object.class);
            }
            case MEDIA_SANITY -> {
                SanityRequest sanity = SyncJson.read(request.payload(), SanityRequest.class);
                yield media.sanity(user.userId(), sanity.local()).cast(Object.class);
            }
            case UPLOAD_CHANGES, DOWNLOAD_FILES -> throw new IllegalStateException(method + " is served apart");
        };
    }

    private Mono<ServerResponse> downloadFiles(DecodedRequest request, AuthenticatedUser user) {
        DownloadFilesRequest download = SyncJson.read(request.payload(), DownloadFilesRequest.class);
        return media.download(user, download.files()).flatMap(zip -> Mono.fromCallable(() -> Files.size(zip.file()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(size -> SyncResponses.compressedStream(size, ScratchFiles.compressed(zip.file())
                        .doFinally(signal -> ScratchFiles.deleteQuietly(zip.folder()))))
                .doOnError(e -> ScratchFiles.deleteQuietly(zip.folder())));
    }

}
