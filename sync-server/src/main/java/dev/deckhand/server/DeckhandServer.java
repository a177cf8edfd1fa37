package dev.deckhand.server;

import dev.deckhand.server.cli.AdminCli;
import dev.deckhand.server.config.DatabaseTarget;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.server.embedded.EmbeddedPostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * The all-in-one server: {@code java -jar deckhand-server.jar} runs it; with a verb as the first
 * argument ({@code adduser}, {@code deluser}, {@code lsuser}, {@code passwd}) it is the admin CLI.
 */
public final class DeckhandServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeckhandServer.class);

    private final ConfigurableApplicationContext context;
    private final EmbeddedPostgresServer postgres;

    private DeckhandServer(ConfigurableApplicationContext context, EmbeddedPostgresServer postgres) {
        this.context = context;
        this.postgres = postgres;
    }

    public static void main(String[] args) {
        try {
            if (args.length > 0) {
                System.exit(AdminCli.run(args, System.getenv(), System.in, System.out, System.err));
            }
            DeckhandServer server = start(ServerSettings.fromEnvironment(System.getenv()));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "deckhand-shutdown"));
        } catch (IllegalArgumentException e) {
            System.err.println("deckhand: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Starts the server; the caller owns it and closes it. */
    public static DeckhandServer start(ServerSettings settings) {
        return start(settings, Map.of());
    }

    /**
     * Starts the server with Spring properties set over those the settings give, for embedders
     * and tests (e.g. {@code deckhand.media.store=s3} and {@code deckhand.media.s3.*}). Like the
     * settings' own properties they are defaults: environment variables and system properties
     * still override them.
     */
    public static DeckhandServer start(ServerSettings settings, Map<String, ?> springProperties) {
        return start(settings, springProperties, Map.of());
    }

    /**
     * Starts the server with these Spring properties and with these objects registered as beans,
     * by name, before the context starts, for embedders and tests: for instance a clock of one's
     * own as {@link dev.deckhand.gateway.SyncGatewayConfiguration#SESSION_CLOCK}, which then
     * takes the place of the system clock.
     */
    public static DeckhandServer start(ServerSettings settings, Map<String, ?> springProperties, Map<String, ?> beans) {
        EmbeddedPostgresServer postgres = null;
        try {
            Files.createDirectories(settings.base());
            Map<String, Object> properties = new HashMap<>(springProperties(settings));
            if (settings.database().isEmpty()) {
                postgres = EmbeddedPostgresServer.start(settings.base(), 0, false);
                properties.putAll(new DatabaseTarget(postgres.jdbcUrl(), postgres.username(), postgres.password()).springProperties());
            }
            properties.putAll(springProperties);
            SpringApplication app = new SpringApplication(ServerApplication.class);
            app.setBannerMode(Banner.Mode.OFF);
            app.setDefaultProperties(properties);
            app.addInitializers(ctx -> {
                ctx.getBeanFactory().registerSingleton("serverSettings", settings);
                beans.forEach((name, bean) -> ctx.getBeanFactory().registerSingleton(name, bean));
            });
            ConfigurableApplicationContext context = app.run();
            DeckhandServer server = new DeckhandServer(context, postgres);
            log.info("Deckhand is listening on {}:{}; data in {}", settings.host(), server.port(), settings.base());
            return server;
        } catch (IOException e) {
            closeQuietly(postgres);
            throw new IllegalStateException("cannot use SYNC_BASE " + settings.base() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    /** The port the server listens on (the real one when {@code SYNC_PORT=0}). */
    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
        closeQuietly(postgres);
    }

    /**
     * The Spring properties the settings stand for: the server's, and the admin CLI's, which
     * must find the same database and media store.
     */
    public static Map<String, Object> springProperties(ServerSettings settings) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.address", settings.host());
        p.put("server.port", settings.port());
        p.put("deckhand.sync.max-payload-megs", settings.maxSyncPayloadMegs());
        // full-sync files are as large as collections: keep them with the data, not in /tmp
        p.put("deckhand.sync.temp-dir", settings.base().resolve("tmp").toString());
        p.put("deckhand.media.filesystem.root", settings.base().resolve("media").toString());
        p.put("deckhand.media.quota-megs", settings.maxMediaMegs());
        settings.database().ifPresent(db -> p.putAll(db.springProperties()));
        settings.redisUrl().ifPresentOrElse(url -> {
            p.put("deckhand.sessions.store", "redis");
            p.put("spring.data.redis.url", url);
        }, () -> {
            p.put("deckhand.sessions.store", "memory");
            p.put("management.health.redis.enabled", false);
        });
        return p;
    }

    private static void closeQuietly(EmbeddedPostgresServer postgres) {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (Exception e) {
                log.warn("embedded PostgreSQL did not stop cleanly", e);
            }
        }
    }
}
