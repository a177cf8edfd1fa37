package dev.deckhand.worker.normalsync;

import dev.deckhand.store.collection.BulkTable;
import dev.deckhand.store.collection.Column;
import dev.deckhand.store.sql.SqlFile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Normal sync's statements spell out the bulk tables' columns; here they are held to
 * {@link BulkTable}, so that a column added in one place only fails the build (collection-store's
 * {@code BulkTableShapeTest} does the same for the migration, full sync and the domain's writes).
 */
class NormalSyncSqlShapeTest {

    @Test
    void chunkQueriesSelectTheWireColumnsInOrder() {
        assertSelects("select-revlog-chunk", BulkTable.REVLOG);
        assertSelects("select-cards-chunk", BulkTable.CARDS);
        assertSelects("select-notes-chunk", BulkTable.NOTES);
    }

    @Test
    void mergesInsertEveryColumnAndReadEveryTuplePositionButTheUsn() {
        for (var merge : List.of(new Object[] {"merge-staged-revlog", BulkTable.REVLOG},
                new Object[] {"merge-staged-cards", BulkTable.CARDS})) {
            String sql = SqlFile.load(Merge.class, (String) merge[0]);
            BulkTable table = (BulkTable) merge[1];
            assertThat(insertedColumns(sql)).as(merge[0] + " inserts").isEqualTo(withUser(table.columns()));
            int usn = names(table.wireColumns()).indexOf("usn");
            List<Integer> read = new ArrayList<>();
            Matcher m = Pattern.compile("s\\.t->>(\\d+)").matcher(sql.substring(sql.indexOf("select")));
            while (m.find()) {
                read.add(Integer.parseInt(m.group(1)));
            }
            assertThat(read).as(merge[0] + " reads each tuple position once, in order, the server's usn instead of the client's")
                    .isEqualTo(IntStream.range(0, table.wireColumns().size()).filter(i -> i != usn).boxed().toList());
        }
    }

    private static void assertSelects(String file, BulkTable table) {
        String sql = SqlFile.load(Chunks.class, file);
        String list = sql.substring(sql.indexOf("select") + "select".length(), sql.indexOf("from")).strip();
        List<String> selected = List.of(list.replace("\"", "").split("\\s*,\\s*"));
        List<String> expected = names(table.wireColumns().stream().filter(c -> c.input() != Column.Input.COMPUTED).toList());
        assertThat(selected).as(file).isEqualTo(expected);
    }

    private static List<String> insertedColumns(String sql) {
        Matcher m = Pattern.compile("insert into \\w+(?: as \\w+)? \\(([^)]*)\\)").matcher(sql);
        assertThat(m.find()).as(sql).isTrue();
        return List.of(m.group(1).replace("\"", "").strip().split("\\s*,\\s*"));
    }

    private static List<String> withUser(List<Column> columns) {
        List<String> out = new ArrayList<>(List.of("user_id"));
        out.addAll(names(columns));
        return out;
    }

    private static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }
}
