package dev.deckhand.server.cli;

import dev.deckhand.server.config.DatabaseTarget;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.server.embedded.EmbeddedPostgresServer;
import dev.deckhand.server.embedded.RunningPostgres;
import dev.deckhand.store.CollectionStoreConfiguration;
import dev.deckhand.store.account.AccountException;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.account.UserAccount;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
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
 * {@code lsuser}, {@code passwd}. They act on the database the server is configured with, and
 * work while the server runs: with the embedded database they connect to the running server's
 * PostgreSQL instead of starting a second one on the same data folder.
 */
public final class AdminCli {

    static final String USAGE = """
            usage: deckhand <command> [arguments]
              adduser <username> [password]   add a user (password read from the terminal or stdin if omitted)
              deluser <username>              delete a user, its data and its host keys
              lsuser                          list users
              passwd <username> [password]    set a new password and log the user out everywhere
            The database is the one the server uses: DATABASE_URL if set, else the embedded one in SYNC_BASE.""";

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
                    if (accounts.deleteUser(rest.get(0)).blockOptional().isEmpty()) {
                        err.println("deckhand: no user '" + rest.get(0) + "'");
                        return 1;
                    }
                    out.println("deleted user " + rest.get(0));
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

    /** A short-lived, non-web Spring context over the configured database. */
    private record Database(ConfigurableApplicationContext context, EmbeddedPostgresServer ownPostgres) implements AutoCloseable {

        static Database open(ServerSettings settings) {
            Map<String, Object> props = new HashMap<>();
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

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(CollectionStoreConfiguration.class)
    static class CliApplication {}
}
