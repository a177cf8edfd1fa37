package dev.deckhand.edge;

import dev.deckhand.protocol.SyncLimits;
import dev.deckhand.store.AccountsConfiguration;
import dev.deckhand.store.account.AccountService;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Beans shared by the sync gateway and the media service, whichever of them a process runs: the
 * request limits and the endpoint steps, with the accounts that authenticate host keys.
 */
@Configuration(proxyBeanMethods = false)
@Import(AccountsConfiguration.class)
public class EdgeConfiguration {

    @Bean
    SyncLimits syncLimits(@Value("${deckhand.sync.max-payload-megs:" + SyncLimits.DEFAULT_MEGS + "}") int megs) {
        return SyncLimits.ofMegs(megs);
    }

    @Bean
    AnkiEndpoint ankiEndpoint(AccountService accounts, SyncLimits limits, MeterRegistry meters) {
        return new AnkiEndpoint(accounts, limits, meters);
    }
}
