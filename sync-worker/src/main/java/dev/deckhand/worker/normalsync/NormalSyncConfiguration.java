package dev.deckhand.worker.normalsync;

import dev.deckhand.store.CollectionStoreConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Normal sync's steps and its idle sweeper, for a process that executes sync operations. */
@Configuration(proxyBeanMethods = false)
@Import(CollectionStoreConfiguration.class)
@ComponentScan(basePackageClasses = NormalSyncConfiguration.class)
public class NormalSyncConfiguration {}
