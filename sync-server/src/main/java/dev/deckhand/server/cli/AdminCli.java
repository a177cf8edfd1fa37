package dev.deckhand.server.cli;

import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.blob.MediaStorageConfiguration;
import dev.deckhand.media.cleanup.UserDeletion;
import dev.deckhand.server.DeckhandServer;
import dev.deckhand.server.config.DatabaseTarget;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.server.embedded.EmbeddedPostgresServer;
import dev.deckhand.server.embedded.RunningPostgres;
import dev.deckhand.store.AccountsConfiguration;
import dev.deckhand.store.account.AccountException;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.UserAccount;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The account commands of Anki's {@code ankisyncctl}: {@code adduser}, {@code deluser},
 * {@code lsuser}, {@code passwd}. They act on the database and the media store the server is
 * configured with, and work while the server runs: with the embedded database they connect to
 * the running server's PostgreSQL instead of starting a second one on the same data folder.
 * {@code deluser} deletes the user's rows, then its media blobs ({@link UserDeletion}).
 */
public final class AdminCli {

    static final String USAGE = """
            usage: deckhand <command> [arguments]
              adduser <username> [password]   add a user (password read from the terminal or stdin if omitted)
              deluser <username>              delete a user, its data, its media files and its host keys
              lsuser                          list users
              passwd <username> [password]    set a new password and log the user out everywhere
            The database and the media files are the ones the server uses: DATABASE_URL if set, else the embedded
            database in SYNC_BASE; media in SYNC_BASE/media unless deckhand.media.* says otherwise.""";

    private AdminCli() {}

    /** Runs one command; returns the process exit code (0 done, 1 refused, 2 usage). */
    public static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        quietLogging();
        String verb = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        boolean known = switch (verb) {
            case "adduser", "passwd" -> rest.size() == 1 || rest.size() == 2;
            case "deluser" -> rest.size() == 1;
            case "lsuser" -> rest.isEmpty();
            default -> false;
        };
        if (!known) {
            err.println(USAGE);
            return 2;
        }
        ServerSettings settings;
        try {
            settings = ServerSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            err.println("deckhand: " + e.getMessage());
            return 2;
        }
        try (Database db = Database.open(settings)) {
            AccountService accounts = db.context.getBean(AccountService.class);
            UserDeletion deletion = db.context.getBean(UserDeletion.class);
            switch (verb) {
                case "adduser" -> {
                    String password = rest.size() == 2 ? rest.get(1) : readPassword(in, err);
                    UserAccount user = accounts.addUser(rest.get(0), password).block();
                    out.println("added user " + user.username());
                }
                case "passwd" -> {
                    String password = rest.size() == 2 ? rest.get(1) : readPassword(in, err);
                    accounts.changePassword(rest.get(0), password).block();
                    out.println("password of " + rest.get(0) + " changed; its devices must log in again");
                }
                case "deluser" -> {
                    try {
                        if (deletion.deleteUser(rest.get(0)).blockOptional().isEmpty()) {
                            err.println("deckhand: no user '" + rest.get(0) + "'");
                            return 1;
                        }
                    } catch (UserDeletion.BlobsLeftBehindException e) {
                        out.println("deleted user " + rest.get(0));
                        err.println("deckhand: " + e.getMessage());
                        return 1;
                    }
                    out.println("deleted user " + rest.get(0) + " and its media files");
                }
                case "lsuser" -> accounts.listUsers().toStream().forEach(u -> out.println(u.username()));
                default -> throw new IllegalStateException(verb);
            }
            return 0;
        } catch (AccountException e) {
            err.println("deckhand: " + e.getMessage());
            return 1;
        }
    }

    /** The command's output is for people and scripts; log lines (e.g. the database starting) would mix in. */
    private static void quietLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static String readPassword(InputStream in, PrintStream err) {
        Console console = System.console();
        if (console != null && in == System.in) {
            char[] typed = console.readPassword("password: ");
            return typed == null ? "" : new String(typed);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            throw new AccountException("cannot read the password: " + e.getMessage());
        }
    }

    /**
     * A short-lived, non-web Spring context over the configured database and media store. It
     * sees the properties the server would ({@link DeckhandServer#springProperties}), so that
     * {@code deluser} empties the same media folder or bucket.
     */
    record Database(ConfigurableApplicationContext context, EmbeddedPostgresServer ownPostgres) implements AutoCloseable {

        static Database open(ServerSettings settings) {
            Map<String, Object> props = new HashMap<>(DeckhandServer.springProperties(settings));
            EmbeddedPostgresServer own = null;
            DatabaseTarget target;
            if (settings.database().isPresent()) {
                target = settings.database().get();
            } else {
                // while the server runs its PostgreSQL holds the data folder: use that one
                Optional<RunningPostgres> running = EmbeddedPostgresServer.findRunning(settings.base());
                RunningPostgres pg;
                if (running.isPresent()) {
                    pg = running.get();
                } else {
                    own = startEmbedded(settings);
                    pg = own.connection();
                }
                target = new DatabaseTarget(pg.jdbcUrl(), pg.username(), pg.password());
            }
            props.putAll(target.springProperties());
            props.put("logging.level.root", "warn");
            // the pool is there for the migration, and Flyway holds two connections at once
            props.put("deckhand.jdbc.pool-size", 2);
            try {
                ConfigurableApplicationContext context = new SpringApplicationBuilder(CliApplication.class)
                        .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).properties(props).logStartupInfo(false).run();
                return new Database(context, own);
            } catch (RuntimeException e) {
                if (own != null) {
                    own.close();
                }
                throw e;
            }
        }

        private static EmbeddedPostgresServer startEmbedded(ServerSettings settings) {
            try {
                return EmbeddedPostgresServer.start(settings.base(), 0, false);
            } catch (IOException e) {
                throw new AccountException("cannot start the embedded database in " + settings.base() + ": " + e.getMessage());
            }
        }

        @Override
        public void close() {
            context.close();
            if (ownPostgres != null) {
                ownPostgres.close();
            }
        }
    }

    /**
     * Only what the commands use: the database (R2DBC, migrated by Flyway as at the server's
     * start), the accounts, and the blob store that {@code deluser} empties. No web server, no
     * sync services, no sweepers.
     *
     * <p>Deliberately not a {@code @Configuration}: the server's {@code ServerApplication} scans
     * {@code dev.deckhand.server} and its subpackages for those, and these beans must stay out of
     * the server's context. As the CLI's primary source it is processed all the same.
     */
    @ImportAutoConfiguration({R2dbcAutoConfiguration.class, R2dbcTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, FlywayAutoConfiguration.class})
    @Import({AccountsConfiguration.class, MediaStorageConfiguration.class})
    static class CliApplication {

        @Bean
        UserDeletion userDeletion(AccountService accounts, MediaBlobStore blobs) {
            return new UserDeletion(accounts, blobs);
        }
    }
}
