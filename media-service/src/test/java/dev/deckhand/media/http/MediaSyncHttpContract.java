package dev.deckhand.media.http;

import dev.deckhand.media.MediaServiceApplication;
import dev.deckhand.store.account.AccountService;
import dev.deckhand.testsupport.RawSyncClient;
import dev.deckhand.testsupport.Sha1;
import dev.deckhand.testsupport.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The media protocol over HTTP against the stand-alone media service, with each blob store
 * (subclasses): what the real client does, and what it never would. Every refused request is
 * followed by a check that the user's change list and the blob store are as they were.
 */
abstract class MediaSyncHttpContract {

    static final int QUOTA_MEGS = 8;
    private static final AtomicInteger USERS = new AtomicInteger();

    ConfigurableApplicationContext media;
    RawSyncClient client;
    String key;
    final Random random = new Random(7);

    /** Spring properties choosing the blob store under test. */
    abstract Map<String, String> storeProperties();

    /** How many blobs the store holds, all users together. */
    abstract long storedBlobs();

    @BeforeEach
    void start() {
        List<String> args = new ArrayList<>();
        TestPostgres.newDatabase().springProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        storeProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--server.address=127.0.0.1");
        args.add("--server.port=0");
        args.add("--deckhand.media.quota-megs=" + QUOTA_MEGS);
        media = new SpringApplicationBuilder(MediaServiceApplication.class).run(args.toArray(String[]::new));
        client = new RawSyncClient("http://127.0.0.1:" + ((WebServerApplicationContext) media).getWebServer().getPort() + "/");
        key = newUser();
    }

    @AfterEach
    void stop() {
        media.close();
    }

    String newUser() {
        AccountService accounts = media.getBean(AccountService.class);
        String name = "user" + USERS.incrementAndGet();
        accounts.addUser(name, "pw").block();
        return accounts.login(name, "pw").block();
    }

    // ---- what clients do ----------------------------------------------------------------------

    @Test
    void uploadsListChangesDownloadsAndCountsAsTheClientExpects() throws IOException {
        byte[] cat = bytes(5_000);
        byte[] dog = bytes(70_000);
        Map<String, byte[]> entries = new LinkedHashMap<>(Map.of("0", cat, "1", dog));
        JSONArray meta = meta("chat ☕ é.jpg", "0", "dög.png", "1", "never-there.mp3", null);
        assertThat(upload(key, entries, meta).payload()).isEqualTo("{\"data\":[3,2],\"err\":\"\"}");

        assertThat(begin(key)).isEqualTo(2);
        assertThat(changes(key, 0)).isEqualTo(new JSONArray()
                .put(new JSONArray().put("chat ☕ é.jpg").put(1).put(Sha1.hex(cat)))
                .put(new JSONArray().put("dög.png").put(2).put(Sha1.hex(dog))).toString());
        assertThat(changes(key, 2)).isEqualTo("[]");

        Map<String, byte[]> got = download(key, "dög.png", "chat ☕ é.jpg");
        assertThat(got.keySet()).containsExactly("dög.png", "chat ☕ é.jpg");
        assertThat(Sha1.hex(got.get("dög.png"))).isEqualTo(Sha1.hex(dog));
        assertThat(Sha1.hex(got.get("chat ☕ é.jpg"))).isEqualTo(Sha1.hex(cat));

        assertThat(sanity(key, 2)).isEqualTo("OK");
        assertThat(sanity(key, 3)).isEqualTo("mediaSanity");

        // identical content takes no usn; new content and a deletion each take one
        byte[] cat2 = bytes(4_000);
        assertThat(upload(key, Map.of("0", cat, "1", cat2), meta("chat ☕ é.jpg", "0", "twin.jpg", "1"))
                .payload()).isEqualTo("{\"data\":[2,3],\"err\":\"\"}");
        assertThat(upload(key, Map.of("0", cat2), meta("chat ☕ é.jpg", "0", "dög.png", null))
                .payload()).isEqualTo("{\"data\":[2,5],\"err\":\"\"}");
        assertThat(changes(key, 3)).isEqualTo(new JSONArray()
                .put(new JSONArray().put("chat ☕ é.jpg").put(4).put(Sha1.hex(cat2)))
                .put(new JSONArray().put("dög.png").put(5).put("")).toString());
        assertThat(sanity(key, 2)).isEqualTo("OK");
        // two names share one blob; cat's and dog's bytes are no longer used by anyone
        assertThat(storedBlobs()).isEqualTo(1);
        assertThat(Sha1.hex(download(key, "twin.jpg").get("twin.jpg"))).isEqualTo(Sha1.hex(cat2));
        assertThat(download(key, "chat ☕ é.jpg").get("chat ☕ é.jpg")).isEqualTo(cat2);
        // the deleted file is a conflict, as in Anki's server
        assertThat(downloadRaw(key, "dög.png").status()).isEqualTo(409);

        // a deletion of one twin keeps the blob the other still uses
        upload(key, Map.of(), meta("twin.jpg", null));
        assertThat(storedBlobs()).isEqualTo(1);
        assertThat(download(key, "chat ☕ é.jpg").get("chat ☕ é.jpg")).isEqualTo(cat2);
    }

    @Test
    void changesComeAThousandAtATimeInUsnOrder() {
        for (int batch = 0; batch < 41; batch++) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            JSONArray meta = new JSONArray();
            for (int i = 0; i < 25; i++) {
                entries.put(Integer.toString(i), bytes(10));
                meta.put(new JSONArray().put("f" + (batch * 25 + i)).put(Integer.toString(i)));
            }
            upload(key, entries, meta);
        }
        JSONArray first = new JSONArray(changes(key, 0));
        assertThat(first.length()).isEqualTo(1000);
        for (int i = 0; i < first.length(); i++) {
            assertThat(first.getJSONArray(i).getInt(1)).isEqualTo(i + 1);
        }
        JSONArray rest = new JSONArray(changes(key, 1000));
        assertThat(rest.length()).isEqualTo(25);
        assertThat(rest.getJSONArray(24).getInt(1)).isEqualTo(1025);
    }

    @Test
    void aDownloadStopsAfterTheFileThatPassesTwoAndAHalfMegabytes() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            entries.put(Integer.toString(i), bytes(1_500_000));
        }
        upload(key, entries, meta("a", "0", "b", "1", "c", "2"));
        Map<String, byte[]> got = download(key, "c", "a", "b");
        // 1.5 MB, then 3 MB: past the target after the second file, so a prefix of two
        assertThat(got.keySet()).containsExactly("c", "a");
        assertThat(got.get("a")).isEqualTo(entries.get("0"));
        assertThat(download(key, "b").get("b")).isEqualTo(entries.get("1"));
    }

    @Test
    void oneUserNeverSeesAnothersFiles() {
        upload(key, Map.of("0", bytes(100)), meta("secret.txt", "0"));
        String other = newUser();
        assertThat(changes(other, 0)).isEqualTo("[]");
        assertThat(downloadRaw(other, "secret.txt").status()).isEqualTo(409);
        // the same name and content for another user is that user's own file
        byte[] mine = bytes(100);
        upload(other, Map.of("0", mine), meta("secret.txt", "0"));
        assertThat(download(other, "secret.txt").get("secret.txt")).isEqualTo(mine);
        upload(other, Map.of(), meta("secret.txt", null));
        assertThat(download(key, "secret.txt").get("secret.txt")).hasSize(100).isNotEqualTo(mine);
    }

    @Test
    void anUploadPastTheQuotaIsRefusedWithAMessageAndStoresNothing() {
        upload(key, Map.of("0", bytes(3_000_000)), meta("kept.bin", "0"));
        State before = state(key);
        RawSyncClient.Response refused = upload(key, Map.of("0", bytes(3_000_000), "1", bytes(3_000_000)),
                meta("a.bin", "0", "b.bin", "1"));
        assertThat(refused.status()).isEqualTo(200);
        JSONObject answer = new JSONObject(refused.payload());
        assertThat(answer.has("data")).as("a client shows err only when data is absent").isFalse();
        assertThat(answer.getString("err")).contains("media storage on this server is full", "8.4 MB");
        assertThat(state(key)).isEqualTo(before);
        // replacing the big file with a small one frees space and is taken
        assertThat(upload(key, Map.of("0", bytes(10)), meta("kept.bin", "0")).payload())
                .isEqualTo("{\"data\":[1,2],\"err\":\"\"}");
    }

    // ---- what clients never send --------------------------------------------------------------

    @Test
    void aZipBombIsRefused() throws IOException {
        // 200 MiB of zeros deflate to about 200 KiB
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.setLevel(Deflater.BEST_COMPRESSION);
            out.putNextEntry(new ZipEntry("0"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                out.write(zeros);
            }
            out.closeEntry();
            out.putNextEntry(new ZipEntry("_meta"));
            out.write(meta("bomb.bin", "0").toString().getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        assertThat(zip.size()).isLessThan(1 << 20);
        refusedAndNothingChanged(zip.toByteArray(), 400);
    }

    @Test
    void zipsThatDoNotMatchTheirMetaAreRefused() {
        byte[] a = bytes(100);
        // an entry _meta does not name
        refusedAndNothingChanged(zip(Map.of("0", a, "1", a), meta("a.jpg", "0")), 400);
        // _meta names an entry the zip lacks
        refusedAndNothingChanged(zip(Map.of("0", a), meta("a.jpg", "0", "b.jpg", "7")), 400);
        // one entry for two names, and one name twice
        refusedAndNothingChanged(zip(Map.of("0", a), meta("a.jpg", "0", "b.jpg", "0")), 400);
        refusedAndNothingChanged(zip(Map.of("0", a, "1", a), meta("a.jpg", "0", "a.jpg", "1")), 400);
        // no _meta, _meta not JSON, _meta not pairs
        refusedAndNothingChanged(zipWithRawMeta(Map.of("0", a), null), 400);
        refusedAndNothingChanged(zipWithRawMeta(Map.of("0", a), "not json".getBytes()), 400);
        refusedAndNothingChanged(zipWithRawMeta(Map.of("0", a), "[[\"a.jpg\"]]".getBytes()), 400);
        refusedAndNothingChanged(zipWithRawMeta(Map.of("0", a), "{\"0\":\"a.jpg\"}".getBytes()), 400);
        // an empty file
        refusedAndNothingChanged(zip(Map.of("0", new byte[0]), meta("empty.txt", "0")), 400);
    }

    @Test
    void namesThatCouldEscapeOrCollideAreRefused() {
        byte[] a = bytes(10);
        for (String name : List.of("../../etc/passwd", "a/b.jpg", "a\\b.jpg", "..", ".", "", "nul\u0000.jpg",
                "line\nbreak.jpg", "e\u0301.jpg" /* not NFC */, "x".repeat(256), "é".repeat(128))) {
            refusedAndNothingChanged(zip(Map.of("0", a), meta(name, "0")), 400);
        }
        // a deletion is checked too
        refusedAndNothingChanged(zip(Map.of(), meta("../x", null)), 400);
        // 255 bytes is still fine
        assertThat(upload(key, Map.of("0", a), meta("é".repeat(127) + "x", "0")).status()).isEqualTo(200);
    }

    @Test
    void truncatedOversizedAndCrowdedZipsAreRefused() {
        byte[] whole = zip(Map.of("0", bytes(50_000)), meta("a.jpg", "0"));
        refusedAndNothingChanged(java.util.Arrays.copyOf(whole, 20_000), 400);
        refusedAndNothingChanged(java.util.Arrays.copyOf(whole, 10), 400);
        // a _meta past 50 KiB
        JSONArray big = new JSONArray();
        big.put(new JSONArray().put("a.jpg").put("0"));
        byte[] padded = (big.toString() + " ".repeat(60_000)).getBytes(StandardCharsets.UTF_8);
        refusedAndNothingChanged(zipWithRawMeta(Map.of("0", bytes(10)), padded), 400);
        // 26 files, and 26 deletions
        Map<String, byte[]> many = new LinkedHashMap<>();
        JSONArray manyMeta = new JSONArray();
        JSONArray manyDeletions = new JSONArray();
        for (int i = 0; i < 26; i++) {
            many.put(Integer.toString(i), bytes(10));
            manyMeta.put(new JSONArray().put("f" + i).put(Integer.toString(i)));
            manyDeletions.put(new JSONArray().put("f" + i).put(JSONObject.NULL));
        }
        refusedAndNothingChanged(zip(many, manyMeta), 400);
        refusedAndNothingChanged(zip(Map.of(), manyDeletions), 400);
        // local headers that lie: a wrong CRC, and a size smaller than the data
        byte[] badCrc = whole.clone();
        badCrc[14] ^= 0x55;
        refusedAndNothingChanged(badCrc, 400);
        byte[] badSize = whole.clone();
        badSize[18] = 0x10;
        badSize[19] = 0x27; // 10,000 instead of 50,000, as compressed size
        badSize[22] = 0x10;
        badSize[23] = 0x27; // and as size
        refusedAndNothingChanged(badSize, 400);
        // not a zip at all
        refusedAndNothingChanged("hello".getBytes(), 400);
    }

    @Test
    void downloadsOfTooManyOrUnknownFilesAreRefusedAndLeakNothing() {
        upload(key, Map.of("0", bytes(10)), meta("real.jpg", "0"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            many.add("real.jpg");
        }
        assertThat(client.call("msync/downloadFiles", key, new JSONObject().put("files", new JSONArray(many)).toString()).status())
                .isEqualTo(400);
        for (String name : List.of("missing.jpg", "../real.jpg", "./real.jpg", "REAL.JPG")) {
            assertThat(downloadRaw(key, name).status()).as(name).isEqualTo(409);
        }
        assertThat(client.call("msync/downloadFiles", key, "{\"files\":\"real.jpg\"}").status()).isEqualTo(400);
        assertThat(client.call("msync/downloadFiles", key, "{}").status()).isEqualTo(400);
        assertThat(client.call("msync/mediaChanges", key, "{\"lastUsn\":-5}").status()).isEqualTo(400);
        assertThat(client.call("msync/mediaChanges", key, "{\"lastUsn\":99999999999999}").status()).isEqualTo(400);
        assertThat(client.call("msync/mediaSanity", key, "{\"local\":\"many\"}").status()).isEqualTo(400);
        assertThat(client.call("msync/uploadChanges", "nobody", "{}").status()).isEqualTo(403);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** What a refused upload must leave unchanged: the change list, the usn and the blobs. */
    record State(String changes, int usn, long blobs) {}

    State state(String hostKey) {
        return new State(changes(hostKey, 0), begin(hostKey), storedBlobs());
    }

    void refusedAndNothingChanged(byte[] zip, int status) {
        State before = state(key);
        RawSyncClient.Response r = client.callWithBytes("msync/uploadChanges", key, zip);
        assertThat(r.status()).as("%s", r.text()).isEqualTo(status);
        assertThat(state(key)).isEqualTo(before);
    }

    RawSyncClient.Response upload(String hostKey, Map<String, byte[]> entries, JSONArray meta) {
        RawSyncClient.Response r = client.callWithBytes("msync/uploadChanges", hostKey, zip(entries, meta));
        assertThat(r.status()).as("upload: %s", r.text()).isEqualTo(200);
        return r;
    }

    int begin(String hostKey) {
        RawSyncClient.Response r = client.call("msync/begin", hostKey, "{\"v\":\"anki,2.1.66 (70506aeb),lin:debian:12\"}");
        assertThat(r.status()).isEqualTo(200);
        return new JSONObject(r.payload()).getJSONObject("data").getInt("usn");
    }

    String changes(String hostKey, int lastUsn) {
        RawSyncClient.Response r = client.call("msync/mediaChanges", hostKey, "{\"lastUsn\":" + lastUsn + "}");
        assertThat(r.status()).isEqualTo(200);
        JSONObject answer = new JSONObject(r.payload());
        assertThat(answer.getString("err")).isEmpty();
        return answer.getJSONArray("data").toString();
    }

    String sanity(String hostKey, int local) {
        RawSyncClient.Response r = client.call("msync/mediaSanity", hostKey, "{\"local\":" + local + "}");
        assertThat(r.status()).isEqualTo(200);
        return new JSONObject(r.payload()).getString("data");
    }

    RawSyncClient.Response downloadRaw(String hostKey, String... names) {
        return client.call("msync/downloadFiles", hostKey, new JSONObject().put("files", new JSONArray(List.of(names))).toString());
    }

    /** The files a download answered, by real name, in zip order; checks the zip's layout on the way. */
    Map<String, byte[]> download(String hostKey, String... names) {
        RawSyncClient.Response r = downloadRaw(hostKey, names);
        assertThat(r.status()).as("download: %s", r.text()).isEqualTo(200);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.payloadBytes()), StandardCharsets.UTF_8)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JSONObject meta = new JSONObject(new String(entries.remove("_meta"), StandardCharsets.UTF_8));
        assertThat(meta.keySet()).as("every entry is in _meta").isEqualTo(entries.keySet());
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            assertThat(meta.getString(Integer.toString(i))).as("entry %d is the %dth name asked for", i, i).isEqualTo(names[i]);
            files.put(names[i], entries.get(Integer.toString(i)));
        }
        return files;
    }

    /** {@code _meta} as the client writes it: [name, entry] pairs, null for a deletion. */
    static JSONArray meta(Object... pairs) {
        JSONArray meta = new JSONArray();
        for (int i = 0; i < pairs.length; i += 2) {
            meta.put(new JSONArray().put(pairs[i]).put(pairs[i + 1] == null ? JSONObject.NULL : pairs[i + 1]));
        }
        return meta;
    }

    static byte[] zip(Map<String, byte[]> entries, JSONArray meta) {
        return zipWithRawMeta(entries, meta.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Stored entries as the Rust client writes them, then {@code _meta} (none if null). */
    static byte[] zipWithRawMeta(Map<String, byte[]> entries, byte[] meta) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : new java.util.TreeMap<>(entries).entrySet()) {
                zip.putNextEntry(stored(entry.getKey(), entry.getValue()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
            if (meta != null) {
                zip.putNextEntry(stored("_meta", meta));
                zip.write(meta);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static ZipEntry stored(String name, byte[] data) {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        return entry;
    }

    byte[] bytes(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }
}
