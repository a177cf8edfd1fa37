package dev.deckhand.store.fullsync;

import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
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
import java.util.function.Function;

/**
 * Full sync: a client's whole collection file in (upload), a whole file out (download).
 * Files are converted to and from rows here; the caller owns the temporary files.
 */
@Service
public class FullSyncService {

    private static final int ROWS_PER_BATCH = 2000;

    private final FullSyncStore store;
    private final Clock clock;

    public FullSyncService(FullSyncStore store) {
        this.store = store;
        this.clock = Clock.systemUTC();
    }

    /**
     * Checks the uploaded file and makes it the user's collection. A file we cannot take fails
     * with {@link CorruptCollectionException} and changes nothing.
     */
    public Mono<Void> upload(long userId, Path file) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> UploadedCollection.open(file)).subscribeOn(Schedulers.boundedElastic()),
                upload -> store.replace(userId, upload),
                upload -> Mono.fromRunnable(upload::close).subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * Writes the user's collection to {@code file} as schema 11, after advancing its usn and
     * mod as Anki's server does. An account that never uploaded first gets a new, empty
     * collection, so that what a client downloads is what the next {@code meta} describes.
     */
    public Mono<Void> download(long userId, Path file) {
        return store.beginDownload(userId)
                .switchIfEmpty(Mono.defer(() -> createEmpty(userId)).then(Mono.defer(() -> store.beginDownload(userId))))
                .flatMap(header -> store.inSnapshot(snapshot -> write(snapshot, userId, header, file)));
    }

    private Mono<Void> write(FullSyncStore.Snapshot snapshot, long userId, CollectionHeader header, Path file) {
        return Mono.zip(
                        snapshot.objects("decks", userId).collectList(),
                        snapshot.objects("deck_configs", userId).collectList(),
                        snapshot.objects("notetypes", userId).collectList(),
                        snapshot.tags(userId).collectList(),
                        snapshot.config(userId).collectList())
                .flatMap(objects -> Mono.usingWhen(
                        Mono.fromCallable(() -> Schema11Writer.create(file)).subscribeOn(Schedulers.boundedElastic()),
                        writer -> Mono.fromRunnable(() -> writer.header(header, configJson(objects.getT5()),
                                        objectMap(objects.getT3()), objectMap(objects.getT1()), objectMap(objects.getT2()),
                                        tagJson(objects.getT4())))
                                .subscribeOn(Schedulers.boundedElastic())
                                .thenMany(Flux.fromArray(Schema11Writer.Table.values()))
                                .concatMap(table -> snapshot.rows(table, userId)
                                        .buffer(ROWS_PER_BATCH)
                                        .publishOn(Schedulers.boundedElastic())
                                        .doOnNext(batch -> writer.rows(table, batch)))
                                .then(),
                        writer -> Mono.fromRunnable(writer::close).subscribeOn(Schedulers.boundedElastic()),
                        (writer, error) -> Mono.fromRunnable(writer::abandon),
                        writer -> Mono.fromRunnable(writer::abandon)));
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

    /** {@code {"<id>": <object>, ...}} from the stored JSON texts, without re-parsing them. */
    private static String objectMap(List<StoredObject> objects) {
        return jsonObject(objects, o -> '"' + Long.toString(o.id()) + '"', StoredObject::json);
    }

    private static String configJson(List<StoredConfig> entries) {
        return jsonObject(entries, c -> LegacyJsonText.MAPPER.writeValueAsString(c.key()), StoredConfig::value);
    }

    private static String tagJson(List<StoredTag> tags) {
        return jsonObject(tags, t -> LegacyJsonText.MAPPER.writeValueAsString(t.tag()), t -> Integer.toString(t.usn()));
    }

    /** A JSON object from items whose keys and values are already JSON text. */
    private static <T> String jsonObject(List<T> items, Function<T, String> key, Function<T, String> value) {
        StringBuilder json = new StringBuilder("{");
        for (T item : items) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(key.apply(item)).append(':').append(value.apply(item));
        }
        return json.append('}').toString();
    }
}
