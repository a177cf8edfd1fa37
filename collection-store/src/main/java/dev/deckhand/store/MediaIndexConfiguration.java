package dev.deckhand.store;

import dev.deckhand.store.media.MediaIndexStore;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The media index, for the media service and for workers (whose {@code meta} reports the media usn). */
@Configuration(proxyBeanMethods = false)
@Import({JdbcPoolConfiguration.class, MediaIndexStore.class})
public class MediaIndexConfiguration {}
