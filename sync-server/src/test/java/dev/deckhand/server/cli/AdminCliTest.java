package dev.deckhand.server.cli;

import dev.deckhand.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

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
    void wrongUsagePrintsHelp() {
        for (String[] args : new String[][] {{"frobnicate"}, {"adduser"}, {"deluser", "a", "b"}, {"lsuser", "x"}}) {
            Run r = run("", args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains("usage: deckhand");
        }
    }
}
