package dev.deckhand.store.fullsync.legacy;

import static dev.deckhand.store.fullsync.legacy.ProtoBytes.hex;
import static dev.deckhand.store.fullsync.legacy.ProtoBytes.message;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deckhand.store.fullsync.legacy.Schema18Json.Field;
import dev.deckhand.store.fullsync.legacy.Schema18Json.Template;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class Schema18JsonMalformedTest {

    private static final byte[] COMMON = hex("08 01 10 01");
    private static final byte[] NORMAL = hex("0A 02 08 01");

    private static void rejectsCommon(byte[] common, String messagePart) {
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, common, NORMAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Deck.Common")
                .hasMessageContaining(messagePart);
    }

    @Test
    void truncatedVarints() {
        rejectsCommon(hex("08"), "truncated varint");
        rejectsCommon(hex("08 80 80"), "truncated varint");
        rejectsCommon(hex("80"), "truncated varint (tag)");
    }

    @Test
    void overlongVarints() {
        rejectsCommon(hex("18 FF FF FF FF FF FF FF FF FF 7F"), "longer than 64 bits");
        rejectsCommon(hex("18 80 80 80 80 80 80 80 80 80 80 01"), "longer than 64 bits");
    }

    @Test
    void wrongWireTypes() {
        rejectsCommon(hex("0A 01 01"), "field 1 has wire type 2");
        rejectsCommon(message().float32(3, 1f).build(), "field 3 has wire type 5");
        assertThatThrownBy(() -> Schema18Json.deckConfig(1, "p", 0, 0, message().varint(11, 2).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DeckConfig.Config").hasMessageContaining("field 11");
        assertThatThrownBy(() -> Schema18Json.deckConfig(1, "p", 0, 0, message().varint(1, 2).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 1");
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, COMMON, hex("08 01")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Deck.KindContainer");
    }

    @Test
    void invalidTags() {
        rejectsCommon(hex("00 01"), "invalid field number 0");
        rejectsCommon(hex("0E 01"), "invalid wire type 6");
        rejectsCommon(hex("0F"), "invalid wire type 7");
        rejectsCommon(hex("FC FF FF FF 7F 00"), "out of range");
    }

    @Test
    void kindContainerWithoutVariant() {
        for (byte[] kind : List.of(new byte[0], hex("18 01"), message().string(3, "x").build())) {
            assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, COMMON, kind))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("neither normal (1) nor filtered (2)");
        }
    }

    @Test
    void lengthsPastTheEnd() {
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, COMMON, hex("0A 05 08 01")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runs past the end");
        rejectsCommon(hex("FA 0F 10 7B"), "runs past the end");
        // fixed-size fields cut short
        // (unknown field 20, so the skipping path is what fails)
        rejectsCommon(hex("A5 01 00 00"), "needs 4 bytes");
        rejectsCommon(hex("A1 01 00 00 00"), "needs 8 bytes");
    }

    @Test
    @Timeout(5)
    void absurdLengthPrefixesFailWithoutAllocating() {
        // a 2^62-byte other and a 4 GiB string: rejected from the prefix alone
        rejectsCommon(hex("FA 0F FF FF FF FF FF FF FF FF 3F"), "runs past the end");
        byte[] kind = hex("0A 07 22 FF FF FF FF 0F 41");
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, COMMON, kind))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Deck.Normal").hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> Schema18Json.deckConfig(1, "p", 0, 0, hex("0A FF FF FF FF 07 00 00 80 3F")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runs past the end");
    }

    @Test
    void packedRunsMustBeWhole() {
        assertThatThrownBy(() -> Schema18Json.deckConfig(1, "p", 0, 0, hex("0A 03 00 00 80")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of 4");
        byte[] req = message().bytes(3, hex("01 80")).build();
        assertThatThrownBy(() -> Schema18Json.notetype(1, "n", 0, 0, message().bytes(8, req).build(),
                List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CardRequirement").hasMessageContaining("truncated varint");
    }

    @Test
    void invalidUtf8InStringFields() {
        byte[] kind = message().message(1, message().bytes(4, new byte[] {'a', (byte) 0xFF})).build();
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, COMMON, kind))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid UTF-8");
        byte[] field = message().bytes(3, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}).build();
        assertThatThrownBy(() -> Schema18Json.notetype(1, "n", 0, 0, new byte[0],
                List.of(new Field(0, "f", field)), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Notetype.Field.Config").hasMessageContaining("not valid UTF-8");
    }

    @Test
    void badGroups() {
        // groups of the unknown fields 20 and 21
        rejectsCommon(hex("A3 01 08 01"), "not closed");
        rejectsCommon(hex("A3 01 AC 01"), "closes group 20");
        rejectsCommon(hex("A4 01"), "unexpected end-group");
        rejectsCommon(hex("A301".repeat(101)), "nested deeper than 100");
        // a known field with a group wire type is a wire-type error
        rejectsCommon(hex("0B 0C"), "field 1 has wire type 3");
        // 100 levels are fine
        byte[] ok = hex("A301".repeat(100) + "A401".repeat(100));
        assertThatNoException().isThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, ok, NORMAL));
    }

    @Test
    void nullsAreRejectedClearly() {
        assertThatThrownBy(() -> Schema18Json.deck(1, "d", 0, 0, null, NORMAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Deck.Common: blob is NULL");
        assertThatThrownBy(() -> Schema18Json.deck(1, null, 0, 0, COMMON, NORMAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deck name is NULL");
        assertThatThrownBy(() -> Schema18Json.deckConfig(1, "p", 0, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blob is NULL");
        assertThatThrownBy(() -> Schema18Json.notetype(1, "n", 0, 0, new byte[0],
                List.of(new Field(0, "f", null)), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blob is NULL");
        assertThatThrownBy(() -> Schema18Json.notetype(1, "n", 0, 0, new byte[0],
                List.of(), List.of(new Template(-1, "t", 0, 0, new byte[0]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ord -1");
    }

    @Test
    @Timeout(30)
    void randomGarbageEitherConvertsOrFailsWithIllegalArgument() {
        // fuzz: no other exception type, no hang
        SplittableRandom random = new SplittableRandom(42);
        byte[] good = Schema18JsonTest.defaultPresetBlob();
        for (int i = 0; i < 20_000; i++) {
            byte[] blob = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                blob[random.nextInt(blob.length)] = (byte) random.nextInt(256);
            }
            byte[] cut = java.util.Arrays.copyOf(blob, random.nextInt(blob.length + 1));
            for (byte[] candidate : List.of(blob, cut)) {
                try {
                    Schema18Json.deckConfig(1, "p", 0, 0, candidate);
                    Schema18Json.deck(1, "d", 0, 0, candidate, NORMAL);
                    Schema18Json.deck(1, "d", 0, 0, COMMON, candidate);
                    Schema18Json.notetype(1, "n", 0, 0, candidate,
                            List.of(new Field(0, "f", candidate)), List.of(new Template(0, "t", 0, 0, candidate)));
                } catch (IllegalArgumentException expected) {
                    // fine
                }
            }
        }
    }
}
