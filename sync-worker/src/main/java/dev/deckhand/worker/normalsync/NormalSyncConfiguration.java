package dev.deckhand.worker.normalsync;

import dev.deckhand.store.CollectionsConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Normal sync's steps and its idle sweeper, over the users' collections, for a process that
 * executes sync operations (imported through {@link dev.deckhand.worker.WorkerConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
@Import(CollectionsConfiguration.class)
@ComponentScan(basePackageClasses = NormalSyncConfiguration.class)
public class NormalSyncConfiguration {}
