package dev.deckhand.store;

import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.collection.CollectionWriter;
import dev.deckhand.store.collection.Notes;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.fullsync.FullSyncStore;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Users' collections: the header and its fence, storing notes, writes by writers other than sync,
 * and full sync in both directions, for processes that execute sync operations. {@link CollectionExporter}
 * reads through the JDBC pool ({@code deckhand.jdbc.*}) as well as R2DBC.
 */
@Configuration(proxyBeanMethods = false)
@Import({JdbcPoolConfiguration.class, CollectionStore.class, Notes.class, CollectionWriter.class, FullSyncStore.class, FullSyncService.class, CollectionExporter.class})
public class CollectionsConfiguration {}
