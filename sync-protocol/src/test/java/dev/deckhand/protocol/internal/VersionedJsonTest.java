package dev.deckhand.protocol.internal;

import dev.deckhand.protocol.internal.VersionedJson.FormatException;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionedJsonTest {

    enum Colour { RED, GREEN }

    record Inner(String name, Colour colour) {}

    record Doc(int v, long id, boolean flag, String text, Inner inner) {}

    record Envelope<T>(int v, T body) {}

    static final Doc DOC = new Doc(3, 1L << 40, true, "t\u00e9", new Inner("n", Colour.GREEN));
    static final String JSON = "{\"v\":3,\"id\":1099511627776,\"flag\":true,\"text\":\"t\u00e9\",\"inner\":{\"name\":\"n\",\"colour\":\"GREEN\"}}";

    @Test
    void writesAndReadsBackTheSameDocument() {
        assertThat(VersionedJson.writeString(DOC)).isEqualTo(JSON);
        assertThat(VersionedJson.read(JSON, 3, Doc.class)).isEqualTo(DOC);
        assertThat(VersionedJson.read(VersionedJson.write(new Envelope<>(3, new Inner(null, Colour.RED))), 3,
                new TypeReference<Envelope<Inner>>() {})).isEqualTo(new Envelope<>(3, new Inner(null, Colour.RED)));
    }

    @Test
    void theVersionIsCheckedFirst() {
        // a newer document may have other fields: the version is what it is refused for
        assertThatThrownBy(() -> VersionedJson.read("{\"v\":4,\"other\":1}", 3, Doc.class))
                .isInstanceOf(FormatException.class).hasMessage("format version 4 is not supported; expected version 3");
        assertThatThrownBy(() -> VersionedJson.read(JSON.replace("\"v\":3,", ""), 3, Doc.class))
                .isInstanceOf(FormatException.class).hasMessageContaining("no format version");
        assertThatThrownBy(() -> VersionedJson.read(JSON.replace("\"v\":3", "\"v\":null"), 3, Doc.class))
                .isInstanceOf(FormatException.class).hasMessageContaining("no format version");
        assertThatThrownBy(() -> VersionedJson.read(JSON.replace("\"v\":3", "\"v\":\"3\""), 3, Doc.class))
                .isInstanceOf(FormatException.class).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> VersionedJson.read(JSON.replace("\"v\":3", "\"v\":3.5"), 3, Doc.class))
                .isInstanceOf(FormatException.class).hasMessageContaining("is not a number");
    }

    @Test
    void readingIsStrict() {
        for (String bad : new String[] {
                JSON.replace("\"flag\":true,", "\"flag\":true,\"extra\":1,"),         // unknown field
                JSON.replace("\"name\":\"n\",", "\"name\":\"n\",\"extra\":1,"),        // unknown nested field
                JSON.replace("\"flag\":true,", ""),                                     // missing field
                JSON.replace("\"id\":1099511627776", "\"id\":null"),                    // null number
                JSON.replace("\"id\":1099511627776", "\"id\":\"1099511627776\""),       // number as string
                JSON.replace("\"id\":1099511627776", "\"id\":1.5"),                     // fraction
                JSON.replace("\"GREEN\"", "\"BLUE\""),                                  // unknown enum name
                JSON.replace("\"GREEN\"", "1"),                                         // enum by number
                JSON.replace("\"flag\":true", "\"flag\":true,\"flag\":false"),          // repeated key
                JSON + " {}",                                                           // trailing content
                "[" + JSON + "]", "", "nonsense"}) {
            assertThatThrownBy(() -> VersionedJson.read(bad, 3, Doc.class)).as(bad).isInstanceOf(FormatException.class);
        }
        assertThat(VersionedJson.read(JSON.replace("\"text\":\"t\u00e9\"", "\"text\":null"), 3, Doc.class).text())
                .as("null where an object may be absent").isNull();
    }
}
