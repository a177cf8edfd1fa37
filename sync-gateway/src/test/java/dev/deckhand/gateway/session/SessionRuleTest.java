package dev.deckhand.gateway.session;

import dev.deckhand.protocol.SyncErrorKind;
import dev.deckhand.protocol.SyncProtocolException;
import dev.deckhand.testsupport.ShiftedClock;
import dev.deckhand.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule's decisions under contention, on both stores: of many clients opening a sync of one
 * account at the same moment exactly one wins, and every other is refused with 409, however
 * their reads and swaps interleave.
 */
class SessionRuleTest {

    static LettuceConnectionFactory connections;
    static final ShiftedClock clock = new ShiftedClock();
    static final Duration TTL = Duration.ofMinutes(5);
    static final Duration TAKEOVER_AFTER = Duration.ofSeconds(15);

    @BeforeAll
    static void connect() {
        TestRedis.Endpoint endpoint = TestRedis.endpoint();
        connections = new LettuceConnectionFactory(endpoint.host(), endpoint.port());
        connections.afterPropertiesSet();
        connections.start();
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    static SyncSessionStore store(String kind) {
        return kind.equals("redis")
                ? new RedisSyncSessionStore(new ReactiveStringRedisTemplate(connections), TestRedis.newKeyPrefix())
                : new InMemorySyncSessionStore(clock);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void ofManyClientsStartingAtOnceExactlyOneOpensTheSync(String kind) {
        SyncSessionStore store = store(kind);
        // rules of separate gateways over one store
        List<SessionRule> gateways = List.of(new SessionRule(store, TTL, TAKEOVER_AFTER, clock),
                new SessionRule(store, TTL, TAKEOVER_AFTER, clock));
        for (long user = 1; user <= 20; user++) {
            long userId = user;
            List<String> outcomes = Flux.range(0, 6)
                    .flatMap(i -> gateways.get(i % 2).open(userId, "client" + i)
                            .map(opened -> "opened " + opened.session().sessionKey())
                            .onErrorResume(SyncProtocolException.class, e -> Mono.just(e.kind().name()))
                            .subscribeOn(Schedulers.parallel()))
                    .collectList().block();
            assertThat(outcomes).as("user %d", userId).filteredOn(o -> o.startsWith("opened")).hasSize(1);
            assertThat(outcomes).as("user %d", userId).filteredOn(o -> !o.startsWith("opened"))
                    .hasSize(5).containsOnly(SyncErrorKind.CONFLICT.name());
            String winner = outcomes.stream().filter(o -> o.startsWith("opened")).findFirst().orElseThrow().substring(7);
            assertThat(store.find(userId).block().sessionKey()).isEqualTo(winner);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void aStartRacingAMetaForAnIdleSyncAlwaysOpens(String kind) {
        SyncSessionStore store = store(kind);
        SessionRule rule = new SessionRule(store, TTL, TAKEOVER_AFTER, clock);
        for (long user = 100; user < 110; user++) {
            long userId = user;
            rule.open(userId, "idle").block();
            clock.shift(TAKEOVER_AFTER);
            List<String> outcomes = Flux.just("meta", "start")
                    .flatMap(what -> (what.equals("meta")
                            ? rule.endForNewSync(userId, "m").thenReturn("ended")
                            : rule.open(userId, "s").thenReturn("opened"))
                            .onErrorResume(SyncProtocolException.class, e -> Mono.just(e.kind().name()))
                            .subscribeOn(Schedulers.parallel()))
                    .collectList().block();
            // start always opens: meta either ended the idle sync first, or lost to start and was refused
            assertThat(outcomes).as("user %d", userId).hasSize(2).contains("opened")
                    .containsAnyOf("ended", SyncErrorKind.CONFLICT.name());
            assertThat(store.find(userId).block().sessionKey()).isEqualTo("s");
        }
    }
}
