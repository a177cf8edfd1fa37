package dev.deckhand.server;

import dev.deckhand.gateway.SyncGatewayConfiguration;
import dev.deckhand.media.MediaServiceConfiguration;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.server.config.SyncUsersInitializer;
import dev.deckhand.store.account.AccountService;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;

/** Gateway, worker and media service wired together in one process. */
@SpringBootApplication(scanBasePackages = {})
@Import({SyncGatewayConfiguration.class, MediaServiceConfiguration.class})
@PropertySource("classpath:deckhand-server.properties")
class ServerApplication {

    @Bean
    SyncUsersInitializer syncUsersInitializer(ServerSettings settings, AccountService accounts) {
        return new SyncUsersInitializer(settings, accounts);
    }
}
