package dev.deckhand.worker;

import dev.deckhand.worker.http.WorkerEndpoint;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** A sync worker on its own, for the distributed wiring: gateways call it over HTTP. */
@SpringBootApplication(scanBasePackages = {})
@Import(WorkerConfiguration.class)
@PropertySource("classpath:sync-worker.properties")
public class SyncWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SyncWorkerApplication.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> workerRoutes(SyncWorker worker, @Value("${deckhand.worker.token:}") String token) {
        return new WorkerEndpoint(worker, token).routes();
    }
}
