package dev.deckhand.server.cli;

import dev.deckhand.media.blob.BlobKey;
import dev.deckhand.media.blob.FilesystemBlobStore;
import dev.deckhand.media.blob.MediaBlobStore;
import dev.deckhand.media.cleanup.UnusedBlobSweeper;
import dev.deckhand.media.cleanup.UserDeletion;
import dev.deckhand.media.sync.MediaSync;
import dev.deckhand.server.config.ServerSettings;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.store.fullsync.CollectionExporter;
import dev.deckhand.store.fullsync.FullSyncService;
import dev.deckhand.store.collection.CollectionStore;
import dev.deckhand.store.media.MediaIndexStore;
import dev.deckhand.testsupport.Sha1;
import dev.deckhand.testsupport.TestDatabase;
import dev.deckhand.testsupport.TestPostgres;
import dev.deckhand.worker.normalsync.IdleSyncSweeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin CLI against an external database (DATABASE_URL); the packaged-jar test covers the embedded one. */
class AdminCliTest {

    static Map<String, String> env;

    @BeforeAll
    static void database() {
        env = Map.of("DATABASE_URL", TestPostgres.newDatabase().jdbcUrl(),
                "SYNC_BASE", Path.of("target", "cli-test").toAbsolutePath().toString());
    }

    record Run(int exit, String out, String err) {}

    static Run run(String stdin, String... args) {
        return run(env, stdin, args);
    }

    static Run run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = AdminCli.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void addListChangeAndDeleteUsers() {
        assertThat(run("", "adduser", "ann", "first").exit()).isZero();
        assertThat(run("from-stdin\n", "adduser", "ben").exit()).as("password from stdin").isZero();
        assertThat(run("", "lsuser").out()).contains("ann\n", "ben\n");

        Run duplicate = run("", "adduser", "ann", "again");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).contains("already exists");

        assertThat(run("", "passwd", "ann", "second").out()).contains("password of ann changed");
        Run missing = run("", "passwd", "nobody", "x");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no user 'nobody'");

        assertThat(run("", "deluser", "ben").exit()).isZero();
        assertThat(run("", "lsuser").out()).contains("ann\n").doesNotContain("ben");
        Run gone = run("", "deluser", "ben");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("no user 'ben'");

        Run emptyPassword = run("\n", "adduser", "cy");
        assertThat(emptyPassword.exit()).isEqualTo(1);
        assertThat(emptyPassword.err()).contains("password must not be empty");
    }

    @Test
    void deluserDeletesTheUsersMediaFilesAndNobodyElses(@TempDir Path base) throws Exception {
        TestDatabase database = TestPostgres.newDatabase();
        Map<String, String> env = Map.of("DATABASE_URL", database.jdbcUrl(), "SYNC_BASE", base.toString());
        assertThat(run(env, "", "adduser", "ann", "pw").exit()).isZero();
        assertThat(run(env, "", "adduser", "ben", "pw").exit()).isZero();
        // where the server keeps them, SYNC_BASE/media, with the rows that name them
        FilesystemBlobStore media = new FilesystemBlobStore(base.resolve("media"));
        Path file = Files.writeString(base.resolve("a.jpg"), "the same picture");
        String sha1 = Sha1.hex(Files.readAllBytes(file));
        BlobKey anns = stored(database, media, "ann", file, sha1);
        BlobKey bens = stored(database, media, "ben", file, sha1);

        Run deleted = run(env, "", "deluser", "ann");

        assertThat(deleted.exit()).as("%s", deleted).isZero();
        assertThat(deleted.out()).contains("deleted user ann");
        assertThat(media.pathOf(anns)).doesNotExist();
        assertThat(media.pathOf(anns).getParent()).as("ann's folder").doesNotExist();
        assertThat(media.pathOf(bens)).hasContent("the same picture");
        assertThat(mediaRows(database)).containsExactly("ben a.jpg");
    }

    /** A blob of the user, as an upload leaves it: the file, and an index row naming it. */
    private static BlobKey stored(TestDatabase database, FilesystemBlobStore media, String username, Path file, String sha1)
            throws Exception {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            PreparedStatement user = c.prepareStatement("select id, tenant_id from users where username = ?");
            user.setString(1, username);
            ResultSet r = user.executeQuery();
            assertThat(r.next()).isTrue();
            BlobKey key = new BlobKey(r.getLong("tenant_id"), r.getLong("id"), sha1);
            media.put(key, file).get();
            PreparedStatement row = c.prepareStatement(
                    "insert into media_files (user_id, fname, sha1, size, usn) values (?, 'a.jpg', decode(?, 'hex'), ?, 1)");
            row.setLong(1, key.userId());
            row.setString(2, sha1);
            row.setLong(3, Files.size(file));
            row.executeUpdate();
            return key;
        }
    }

    private static List<String> mediaRows(TestDatabase database) throws Exception {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            ResultSet r = c.createStatement().executeQuery(
                    "select u.username, f.fname from media_files f join users u on u.id = f.user_id order by 1, 2");
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1) + " " + r.getString(2));
            }
            return rows;
        }
    }

    @Test
    void theCliStartsOnlyTheDatabaseTheAccountsAndTheServersBlobStore(@TempDir Path base) {
        ServerSettings settings = ServerSettings.fromEnvironment(Map.of(
                "DATABASE_URL", TestPostgres.newDatabase().jdbcUrl(), "SYNC_BASE", base.toString()));
        try (AdminCli.Database db = AdminCli.Database.open(settings)) {
            ConfigurableApplicationContext context = db.context();
            assertThat(context).isNotInstanceOf(WebServerApplicationContext.class);
            // the server's media folder, from the same settings
            assertThat(context.getBean(MediaBlobStore.class)).isInstanceOfSatisfying(FilesystemBlobStore.class,
                    fs -> assertThat(fs.root()).isEqualTo(base.resolve("media")));
            // of our own classes, only these: no sync services, no sweepers, no JDBC exporter, no S3 client
            Set<Class<?>> ours = new HashSet<>();
            for (String name : context.getBeanFactory().getSingletonNames()) {
                Class<?> type = context.getBeanFactory().getType(name);
                if (type != null && type.getName().startsWith("dev.deckhand.") && type != AdminCli.CliApplication.class
                        && !type.isAnnotationPresent(org.springframework.context.annotation.Configuration.class)) {
                    ours.add(type);
                }
            }
            assertThat(ours).containsExactlyInAnyOrder(AccountService.class, CollectionStore.class, UserDeletion.class,
                    FilesystemBlobStore.class);
            for (Class<?> absent : List.of(CollectionExporter.class, FullSyncService.class, MediaIndexStore.class,
                    MediaSync.class, UnusedBlobSweeper.class, IdleSyncSweeper.class, ReactiveRedisConnectionFactory.class)) {
                assertThat(context.getBeanNamesForType(absent)).as("%s", absent.getSimpleName()).isEmpty();
            }
        }
    }

    @Test
    void wrongUsagePrintsHelp() {
        for (String[] args : new String[][] {{"frobnicate"}, {"adduser"}, {"deluser", "a", "b"}, {"lsuser", "x"}}) {
            Run r = run("", args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains("usage: deckhand");
        }
    }
}
