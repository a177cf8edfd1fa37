package dev.deckhand.gateway;

import dev.deckhand.edge.AnkiEndpoint;
import dev.deckhand.edge.EdgeConfiguration;
import dev.deckhand.gateway.http.ServerPages;
import dev.deckhand.gateway.http.SyncRequestHandler;
import dev.deckhand.gateway.session.InMemorySyncSessionStore;
import dev.deckhand.gateway.session.RedisSyncSessionStore;
import dev.deckhand.gateway.session.SessionRule;
import dev.deckhand.gateway.session.SyncSessionStore;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.worker.SyncWorker;
import dev.deckhand.worker.WorkerConfiguration;
import dev.deckhand.worker.http.RemoteSyncWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import java.time.Clock;
import java.time.Duration;

/**
 * The sync gateway's parts. Two seams are chosen by configuration: where workers run
 * ({@code deckhand.worker.url} set: over HTTP, and this process has no sync services of its own;
 * unset: in this process, with everything {@link WorkerConfiguration} brings) and where sessions
 * live ({@code deckhand.sessions.store}: {@code redis} or {@code memory}). Sessions live for
 * {@code deckhand.sessions.ttl} (default 5 minutes) after each step, and keep the account from
 * other clients for {@code deckhand.sessions.takeover-after} (default 15 seconds) after each
 * step's arrival and completion ({@link SessionRule}), both timed by the {@value #SESSION_CLOCK} bean.
 */
@Configuration(proxyBeanMethods = false)
@Import(EdgeConfiguration.class)
public class SyncGatewayConfiguration {

    // LocalWorker and RemoteWorkers below are picked up as member classes; their conditions choose one

    static final String WORKER_URL = "deckhand.worker.url";

    /**
     * The name of the clock that sessions are timed by: when one starts and was last active, and
     * when one kept in memory expires (Redis keeps its own time). The system clock, unless the context has a
     * singleton of this name before it starts (tests register one they can move on).
     */
    public static final String SESSION_CLOCK = "sessionClock";

    /** Without {@code deckhand.worker.url}: the work runs here (the all-in-one server). */
    @Configuration(proxyBeanMethods = false)
    @Conditional(WorkerUrlUnset.class)
    @Import(WorkerConfiguration.class)
    static class LocalWorker {}

    /** With {@code deckhand.worker.url}: workers are called over HTTP. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(WorkerUrlSet.class)
    static class RemoteWorkers {

        @Bean
        SyncWorker syncWorker(@Value("${" + WORKER_URL + "}") String workerUrl,
                              @Value("${deckhand.worker.token:}") String workerToken) {
            return new RemoteSyncWorker(WebClient.builder(), workerUrl, workerToken);
        }
    }

    /** A blank URL counts as unset, as it always has. */
    static final class WorkerUrlSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !context.getEnvironment().getProperty(WORKER_URL, "").isBlank();
        }
    }

    static final class WorkerUrlUnset implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !new WorkerUrlSet().matches(context, metadata);
        }
    }

    @Bean(SESSION_CLOCK)
    @ConditionalOnMissingBean(name = SESSION_CLOCK)
    Clock sessionClock() {
        return Clock.systemUTC();
    }

    @Bean
    SyncSessionStore syncSessionStore(@Value("${deckhand.sessions.store:redis}") String store,
                                      @Value("${deckhand.redis.key-prefix:deckhand:}") String keyPrefix,
                                      ObjectProvider<ReactiveStringRedisTemplate> redis,
                                      @Qualifier(SESSION_CLOCK) Clock clock) {
        return switch (store) {
            case "redis" -> new RedisSyncSessionStore(redis.getObject(), keyPrefix);
            case "memory" -> new InMemorySyncSessionStore(clock);
            default -> throw new IllegalArgumentException(
                    "deckhand.sessions.store must be 'redis' or 'memory', not '" + store + "'");
        };
    }

    @Bean
    SyncRequestHandler syncRequestHandler(AnkiEndpoint endpoint, AccountService accounts, SyncWorker worker,
                                          SyncSessionStore sessions,
                                          @Value("${deckhand.sessions.ttl:PT5M}") Duration sessionTtl,
                                          @Value("${deckhand.sessions.takeover-after:PT15S}") Duration takeoverAfter,
                                          @Qualifier(SESSION_CLOCK) Clock clock) {
        return new SyncRequestHandler(endpoint, accounts, worker, new SessionRule(sessions, sessionTtl, takeoverAfter, clock));
    }

    @Bean
    RouterFunction<ServerResponse> syncRoutes(SyncRequestHandler handler) {
        return handler.routes();
    }

    /** {@code GET /health} for container health checks, as Anki's server has, and a page for people at {@code /}. */
    @Bean
    RouterFunction<ServerResponse> serverPages(ApplicationAvailability availability) {
        return new ServerPages(availability).routes();
    }
}
