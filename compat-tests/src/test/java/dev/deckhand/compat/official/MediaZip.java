package dev.deckhand.compat.official;

import dev.deckhand.protocol.SyncJson;
import dev.deckhand.testsupport.Sha1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Media zips: uploads as clients build them (or as they never would), and what a download zip holds. */
final class MediaZip {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8);

    /** An entry stored uncompressed, as the Rust client writes them. */
    MediaZip stored(String name, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        return entry(entry, data);
    }

    /** An entry of {@code size} zero bytes, deflated to a small fraction of that. */
    MediaZip deflatedZeros(String name, long size) {
        try {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new ZipEntry(name));
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) {
                zip.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
            zip.closeEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code _meta} entry, as given: normally a JSON list of {@code [name, entry or null]}. */
    MediaZip meta(String json) {
        return stored("_meta", json.getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private MediaZip entry(ZipEntry entry, byte[] data) {
        try {
            zip.putNextEntry(entry);
            zip.write(data);
            zip.closeEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a client takes from a {@code downloadFiles} zip, in a form two servers can be compared
     * by: {@code _meta} as canonical JSON and every other entry's SHA-1, by entry name (the order of
     * entries in the zip does not matter to clients).
     */
    static String describe(byte[] download) {
        TreeMap<String, String> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(download), StandardCharsets.UTF_8)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                entries.put(e.getName(), e.getName().equals("_meta")
                        ? Canonical.json(SyncJson.mapper().readTree(data))
                        : Sha1.hex(data));
            }
        } catch (IOException e) {
            return "not a zip: " + e.getMessage();
        }
        return entries.toString();
    }
}
