package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Full sync: a client's whole collection file in (upload), a whole file out (download).
 * Files are converted to and from rows here; the caller owns the temporary files.
 */
@Service
public class FullSyncService {

    private static final Logger log = LoggerFactory.getLogger(FullSyncService.class);

    private final FullSyncStore store;
    private final CollectionExporter exporter;
    private final Clock clock;

    public FullSyncService(FullSyncStore store, CollectionExporter exporter) {
        this.store = store;
        this.exporter = exporter;
        this.clock = Clock.systemUTC();
    }

    /**
     * Checks the uploaded file and makes it the user's collection. A file we cannot take fails
     * with {@link CorruptCollectionException} and changes nothing.
     */
    public Mono<Void> upload(long userId, Path file) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return Mono.usingWhen(
                            Mono.fromCallable(() -> UploadedCollection.open(file)).subscribeOn(Schedulers.boundedElastic()),
                            upload -> Mono.fromRunnable(() -> log.debug("upload of user {} checked in {} ms", userId, millisSince(start)))
                                    .then(store.replace(userId, upload)),
                            upload -> Mono.fromRunnable(upload::close).subscribeOn(Schedulers.boundedElastic()))
                    .doOnSuccess(done -> log.info("full upload of user {} stored in {} ms", userId, millisSince(start)));
        });
    }

    /**
     * Writes the user's collection to {@code file} as schema 11, after advancing its usn and
     * mod as Anki's server does. An account that never uploaded first gets a new, empty
     * collection, so that what a client downloads is what the next {@code meta} describes.
     */
    public Mono<Void> download(long userId, Path file) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return store.beginDownload(userId)
                    .switchIfEmpty(Mono.defer(() -> createEmpty(userId)).then(Mono.defer(() -> store.beginDownload(userId))))
                    .flatMap(header -> Mono.fromRunnable(() -> exporter.export(userId, header, file))
                            .subscribeOn(Schedulers.boundedElastic()))
                    .then()
                    .doOnSuccess(done -> log.info("full download of user {} built in {} ms", userId, millisSince(start)));
        });
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private Mono<Void> createEmpty(long userId) {
        JsonNode template = newCollectionTemplate();
        long now = clock.millis();
        // like a new Anki collection: created at the last 04:00 (UTC here), never modified
        Instant today4 = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusHours(4).toInstant();
        long crt = (today4.toEpochMilli() > now ? today4.minus(1, ChronoUnit.DAYS) : today4).getEpochSecond();
        List<StoredConfig> config = new ArrayList<>();
        template.get("conf").properties().forEach(e -> config.add(new StoredConfig(e.getKey(), 0, 0, LegacyJsonText.write(e.getValue()))));
        return store.create(userId, new CollectionHeader(crt, 0, now, 0, 0, 11),
                objects(template.get("decks")), objects(template.get("dconf")), objects(template.get("models")), config);
    }

    private static List<StoredObject> objects(JsonNode map) {
        List<StoredObject> out = new ArrayList<>();
        map.properties().forEach(e -> out.add(new StoredObject(Long.parseLong(e.getKey()), e.getValue().get("name").asString(),
                e.getValue().get("mod").asLong(), e.getValue().get("usn").asInt(), LegacyJsonText.write(e.getValue()))));
        return out;
    }

    private static JsonNode newCollectionTemplate() {
        try (InputStream in = FullSyncService.class.getResourceAsStream("new-collection.json")) {
            return LegacyJsonText.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the new-collection template is missing from the build", e);
        }
    }
}
