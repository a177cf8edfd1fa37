package dev.deckhand.media.sync;

import dev.deckhand.protocol.MediaLimits;
import dev.deckhand.protocol.SyncProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import dev.deckhand.protocol.SyncJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One {@code uploadChanges} zip, read as a stream: each file entry is written to its own file in
 * a scratch folder while its SHA-1 and size are computed, so neither the zip nor a file is ever
 * held in memory. The client writes {@code _meta} last, so names are checked once all is read.
 *
 * @param changes in {@code _meta} order; a change without a file is a deletion
 */
public record UploadBatch(List<Change> changes) {

    /** A file the client sent: where it was spooled, its lowercase hex SHA-1 and its size. */
    public record Spooled(Path path, String sha1, long size) {}

    /** One entry of {@code _meta}: a file's new content, or ({@code file} null) its deletion. */
    public record Change(String name, Spooled file) {}

    private static final String META = "_meta";

    /**
     * Reads the zip into {@code folder}. Anything wrong with it (damaged or truncated, a missing
     * or oversized {@code _meta}, too many files, a file over 100 MiB or empty, an entry
     * {@code _meta} does not name or a name it gives twice, a bad file name) is refused with the
     * protocol's bad request.
     */
    public static UploadBatch read(InputStream zipStream, Path folder) throws IOException {
        Map<String, Spooled> entries = new HashMap<>();
        byte[] meta = null;
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(zipStream, StandardCharsets.UTF_8)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (name.equals(META)) {
                    if (meta != null) {
                        throw SyncProtocolException.badRequest("the upload zip has two _meta entries");
                    }
                    meta = readMeta(zip);
                    continue;
                }
                if (entries.containsKey(name)) {
                    throw SyncProtocolException.badRequest("the upload zip has two entries named " + MediaNames.printable(name));
                }
                if (entries.size() == MediaLimits.FILES_PER_BATCH) {
                    throw SyncProtocolException.badRequest("the upload zip holds more than " + MediaLimits.FILES_PER_BATCH
                            + " files");
                }
                Spooled file = spool(zip, folder.resolve("entry-" + entries.size()),
                        Math.min(MediaLimits.MAX_FILE_BYTES, MediaLimits.MAX_UPLOAD_BYTES - total));
                total += file.size();
                entries.put(name, file);
            }
        } catch (ZipException | EOFException e) {
            throw SyncProtocolException.badRequest("the upload zip is damaged or truncated: " + e.getMessage());
        }
        if (meta == null) {
            throw SyncProtocolException.badRequest("the upload zip has no _meta entry");
        }
        return new UploadBatch(changes(meta, entries));
    }

    private static byte[] readMeta(InputStream zip) throws IOException {
        byte[] meta = zip.readNBytes(MediaLimits.MAX_META_BYTES + 1);
        if (meta.length > MediaLimits.MAX_META_BYTES) {
            throw SyncProtocolException.badRequest("the upload's _meta is larger than " + MediaLimits.MAX_META_BYTES + " bytes");
        }
        return meta;
    }

    private static Spooled spool(InputStream entry, Path file, long maxBytes) throws IOException {
        MessageDigest sha1 = sha1();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = entry.read(buffer)) > 0) {
                size += n;
                if (size > maxBytes) {
                    throw SyncProtocolException.badRequest(maxBytes == MediaLimits.MAX_FILE_BYTES
                            ? "a file in the upload zip is larger than " + MediaLimits.MAX_FILE_BYTES + " bytes"
                            : "the upload zip unpacks to more than " + MediaLimits.MAX_UPLOAD_BYTES + " bytes");
                }
                sha1.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return new Spooled(file, HexFormat.of().formatHex(sha1.digest()), size);
    }

    private static List<Change> changes(byte[] meta, Map<String, Spooled> entries) {
        JsonNode list;
        try {
            list = SyncJson.mapper().readTree(meta);
        } catch (JacksonException e) {
            throw SyncProtocolException.badRequest("the upload's _meta is not JSON: " + e.getOriginalMessage());
        }
        if (list == null || !list.isArray()) {
            throw SyncProtocolException.badRequest("the upload's _meta must be a list of [name, entry] pairs");
        }
        if (list.size() > MediaLimits.FILES_PER_BATCH) {
            throw SyncProtocolException.badRequest("the upload's _meta lists " + list.size() + " files; the limit is "
                    + MediaLimits.FILES_PER_BATCH);
        }
        List<Change> changes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (JsonNode item : list) {
            if (!item.isArray() || item.size() != 2 || !item.get(0).isString()
                    || !(item.get(1).isNull() || item.get(1).isString())) {
                throw SyncProtocolException.badRequest("each _meta item must be [name, entry name or null]");
            }
            String name = item.get(0).asString();
            MediaNames.check(name);
            if (!names.add(name)) {
                throw SyncProtocolException.badRequest("the upload's _meta names " + MediaNames.printable(name) + " twice");
            }
            // older clients mark a deletion with "" instead of null
            String entry = item.get(1).isNull() ? "" : item.get(1).asString();
            if (entry.isEmpty()) {
                changes.add(new Change(name, null));
                continue;
            }
            Spooled file = entries.get(entry);
            if (file == null) {
                throw SyncProtocolException.badRequest("the upload's _meta names zip entry " + MediaNames.printable(entry)
                        + ", which the zip does not hold");
            }
            if (!used.add(entry)) {
                throw SyncProtocolException.badRequest("the upload's _meta uses zip entry " + MediaNames.printable(entry)
                        + " twice");
            }
            if (file.size() == 0) {
                throw SyncProtocolException.badRequest("the upload's file " + MediaNames.printable(name) + " is empty");
            }
            changes.add(new Change(name, file));
        }
        for (String entry : entries.keySet()) {
            if (!used.contains(entry)) {
                throw SyncProtocolException.badRequest("the upload zip holds entry " + MediaNames.printable(entry)
                        + ", which _meta does not name");
            }
        }
        return List.copyOf(changes);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
