package dev.deckhand.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;

/** A sync gateway on its own, for the distributed wiring: sessions in Redis, workers over HTTP. */
@SpringBootApplication(scanBasePackages = {})
@Import(SyncGatewayConfiguration.class)
@PropertySource("classpath:sync-gateway.properties")
public class SyncGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(SyncGatewayApplication.class, args);
    }
}
