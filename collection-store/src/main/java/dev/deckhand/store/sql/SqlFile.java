package dev.deckhand.store.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * One SQL statement kept in a {@code .sql} file beside the class that runs it (same package,
 * under {@code src/main/resources}), so the statement that runs is the one a reader finds.
 * Load each into a {@code static final} field: files are read once, and a missing or empty
 * file fails when the class loads, not when a user first needs it.
 */
public final class SqlFile {

    private SqlFile() {}

    /**
     * The statement in {@code <name>.sql} next to {@code owner}, without its whole-line
     * {@code --} comments (those are for readers; Spring's named-parameter parser need not see
     * them) and without a trailing semicolon.
     */
    public static String load(Class<?> owner, String name) {
        String file = name + ".sql";
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("SQL file " + file + " is missing beside " + owner.getName());
            }
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
            if (sql.endsWith(";")) {
                sql = sql.substring(0, sql.length() - 1).strip();
            }
            if (sql.isEmpty() || sql.contains(";")) {
                throw new IllegalStateException("SQL file " + file + " beside " + owner.getName()
                        + " must hold exactly one statement");
            }
            return sql;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL file " + file, e);
        }
    }
}
