package dev.deckhand.store.fullsync;

import dev.deckhand.store.collection.CollectionHeader;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.BulkTable;
import dev.deckhand.store.sql.SqlFile;
import io.netty.buffer.ByteBuf;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Whole collections in and out of PostgreSQL, for full upload and download. An upload
 * replaces the user's rows in one transaction with bulk COPY, so a failed or rejected upload
 * leaves the old collection exactly as it was. Downloads are read by {@link CollectionExporter}.
 */
@Repository
public class FullSyncStore {


    private static final String COPY_IN_NOTES = SqlFile.load(FullSyncStore.class, "copy-in-notes");
    private static final String COPY_IN_CARDS = SqlFile.load(FullSyncStore.class, "copy-in-cards");
    private static final String COPY_IN_REVLOG = SqlFile.load(FullSyncStore.class, "copy-in-revlog");
    private static final String COPY_IN_GRAVES = SqlFile.load(FullSyncStore.class, "copy-in-graves");
    private static final String COPY_IN_DECKS = SqlFile.load(FullSyncStore.class, "copy-in-decks");
    private static final String COPY_IN_DECK_CONFIGS = SqlFile.load(FullSyncStore.class, "copy-in-deck-configs");
    private static final String COPY_IN_NOTETYPES = SqlFile.load(FullSyncStore.class, "copy-in-notetypes");
    private static final String COPY_IN_TAGS = SqlFile.load(FullSyncStore.class, "copy-in-tags");
    private static final String COPY_IN_CONFIG = SqlFile.load(FullSyncStore.class, "copy-in-config");

    private final DatabaseClient db;
    private final CollectionStore collections;
    private final ConnectionFactory connections;
    private final TransactionalOperator writeTx;
    private final Clock clock;

    public FullSyncStore(DatabaseClient db, CollectionStore collections, ConnectionFactory connections,
                         ReactiveTransactionManager transactions) {
        this.db = db;
        this.collections = collections;
        this.connections = connections;
        this.writeTx = TransactionalOperator.create(transactions);
        this.clock = Clock.systemUTC();
    }

    /**
     * Replaces the user's collection with the uploaded one. The file keeps its own mod, scm and
     * usn, as in Anki's server. All or nothing. Like a download, it takes the next sync epoch, so
     * that a normal sync begun before it can never commit over it.
     */
    public Mono<Void> replace(long userId, UploadedCollection upload) {
        // a bad row met while streaming surfaces as a failed COPY; report the row's problem instead
        AtomicReference<CorruptCollectionException> badRow = new AtomicReference<>();
        // the small objects are read (and converted) before the transaction opens
        return Mono.fromCallable(() -> new Objects(upload.decks(), upload.deckConfigs(), upload.notetypes(),
                        upload.tags(), upload.config()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(objects -> withPostgres(pg -> deleteContents(userId)
                        .thenMany(Flux.fromArray(BulkTable.values())
                                .concatMap(table -> copy(pg, copyIn(table), rows(upload, table, userId, badRow))))
                        .then(copy(pg, COPY_IN_DECKS, objectRows(userId, objects.decks())))
                        .then(copy(pg, COPY_IN_DECK_CONFIGS, objectRows(userId, objects.deckConfigs())))
                        .then(copy(pg, COPY_IN_NOTETYPES, objectRows(userId, objects.notetypes())))
                        .then(copy(pg, COPY_IN_TAGS, listRows(objects.tags(), (t, out) ->
                                out.number(userId).text(t.tag()).number(t.usn()).bool(t.collapsed()))))
                        .then(copy(pg, COPY_IN_CONFIG, configRows(userId, objects.config())))
                        .then(collections.replaceHeaderAfterUpload(userId, upload.header()))))
                .as(writeTx::transactional)
                .onErrorMap(e -> badRow.get() != null && e != badRow.get(), e -> badRow.get());
    }

    private record Objects(List<StoredObject> decks, List<StoredObject> deckConfigs, List<StoredObject> notetypes,
                           List<StoredTag> tags, List<StoredConfig> config) {}

    /**
     * Gives a user without a collection a new one; does nothing if another request made one
     * first. The objects are legacy JSON, as the template of a new collection holds them.
     */
    public Mono<Void> create(long userId, CollectionHeader header, List<StoredObject> decks,
                             List<StoredObject> deckConfigs, List<StoredObject> notetypes, List<StoredConfig> config) {
        return collections.createIfAbsent(userId, header)
                .flatMap(created -> !created ? Mono.<Void>empty() : withPostgres(pg -> deleteContents(userId)
                        .then(copy(pg, COPY_IN_DECKS, objectRows(userId, decks)))
                        .then(copy(pg, COPY_IN_DECK_CONFIGS, objectRows(userId, deckConfigs)))
                        .then(copy(pg, COPY_IN_NOTETYPES, objectRows(userId, notetypes)))
                        .then(copy(pg, COPY_IN_CONFIG, configRows(userId, config)))
                        .then()))
                .as(writeTx::transactional);
    }

    /**
     * For a download: advances the collection's usn and sets its mod to now, as Anki's server
     * does before sending the file, and returns the new header; empty if the user has none.
     */
    public Mono<CollectionHeader> beginDownload(long userId) {
        return Mono.defer(() -> collections.advanceUsnForDownload(userId, clock.millis()));
    }

    private Mono<Void> deleteContents(long userId) {
        return collections.deleteContents(userId);
    }

    /** The transaction's own connection, as the PostgreSQL driver's type, for COPY. */
    private <T> Mono<T> withPostgres(Function<PostgresqlConnection, Mono<T>> work) {
        return Mono.usingWhen(ConnectionFactoryUtils.getConnection(connections),
                connection -> work.apply(postgres(connection)),
                connection -> ConnectionFactoryUtils.releaseConnection(connection, connections));
    }

    private static PostgresqlConnection postgres(Connection connection) {
        Object c = connection;
        while (!(c instanceof PostgresqlConnection) && c instanceof Wrapped<?> wrapped) {
            c = wrapped.unwrap();
        }
        if (c instanceof PostgresqlConnection pg) {
            return pg;
        }
        throw new IllegalStateException("full sync needs the PostgreSQL R2DBC driver, not " + connection.getClass());
    }

    /** Buffers per COPY statement: 8 MiB, the most a table's rows occupy in memory at once. */
    private static final int BUFFERS_PER_COPY = 32;

    /**
     * Copies rows in, as several COPY statements of at most {@link #BUFFERS_PER_COPY} buffers.
     * The driver takes a COPY's data as fast as it is offered and queues it for the socket, so
     * one statement over a whole table would hold the table in memory; one batch at a time, the
     * next is only read from the file once the previous one is in.
     */
    private static Mono<Long> copy(PostgresqlConnection pg, String copyIn, Flux<ByteBuf> data) {
        return data.buffer(BUFFERS_PER_COPY)
                .concatMap(batch -> pg.copyIn(copyIn, Flux.fromIterable(batch)), 1)
                .doOnDiscard(ByteBuf.class, ByteBuf::release)
                .reduce(0L, Long::sum);
    }

    private static String copyIn(BulkTable table) {
        return switch (table) {
            case NOTES -> COPY_IN_NOTES;
            case CARDS -> COPY_IN_CARDS;
            case REVLOG -> COPY_IN_REVLOG;
            case GRAVES -> COPY_IN_GRAVES;
        };
    }

    private static Flux<ByteBuf> rows(UploadedCollection upload, BulkTable table, long userId,
                                      AtomicReference<CorruptCollectionException> badRow) {
        return Flux.<ByteBuf, UploadedCollection.RowSource>generate(() -> upload.rows(table, userId), (source, sink) -> {
                    CopyText out = new CopyText();
                    boolean more = source.fill(out);
                    if (!out.isEmpty()) {
                        sink.next(out.drain());
                    }
                    if (!more) {
                        sink.complete();
                    }
                    return source;
                }, UploadedCollection.RowSource::close)
                .doOnError(CorruptCollectionException.class, badRow::set)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static Flux<ByteBuf> objectRows(long userId, List<StoredObject> objects) {
        return listRows(objects, (o, out) ->
                out.number(userId).number(o.id()).text(o.name()).number(o.mtime()).number(o.usn()).text(o.json()));
    }

    private static Flux<ByteBuf> configRows(long userId, List<StoredConfig> config) {
        return listRows(config, (c, out) ->
                out.number(userId).text(c.key()).number(c.usn()).number(c.mtime()).text(c.value()));
    }

    private interface RowWriter<T> {
        void write(T item, CopyText out);
    }

    private static <T> Flux<ByteBuf> listRows(List<T> items, RowWriter<T> writer) {
        return Flux.defer(() -> {
            CopyText out = new CopyText();
            for (T item : items) {
                writer.write(item, out);
                out.endRow();
            }
            return out.isEmpty() ? Flux.empty() : Flux.just(out.drain());
        });
    }
}
