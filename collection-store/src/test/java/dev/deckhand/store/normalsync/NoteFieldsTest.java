package dev.deckhand.store.normalsync;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The derived note columns against the format doc (anki-collection-format.md 7.6), which
 * follows rslib's {@code strip_html_preserving_media_filenames} and {@code decode_entities}.
 */
class NoteFieldsTest {

    @Test
    void checksumVectorsFromTheFormatDoc() {
        assertThat(NoteFields.checksum("test")).isEqualTo(2840236005L);
        assertThat(NoteFields.checksum("今日")).isEqualTo(1464653051L);
        // SHA-1 of nothing begins da39a3ee
        assertThat(NoteFields.checksum("")).isEqualTo(3661210606L);
    }

    @Test
    void checksumIsUnsignedAndTakenAfterStripping() {
        // above Integer.MAX_VALUE: read as unsigned, never negative
        assertThat(NoteFields.checksum("test")).isGreaterThan(Integer.MAX_VALUE);
        assertThat(NoteFields.checksum("<b>te</b>st")).isEqualTo(2840236005L);
        assertThat(NoteFields.checksum("<div>今日</div><!-- note -->")).isEqualTo(1464653051L);
        assertThat(NoteFields.checksum("te&#115;t")).isEqualTo(2840236005L);
    }

    @Test
    void mediaTagsLeaveTheirFileNameBetweenSpaces() {
        assertThat(NoteFields.stripHtml("<img src=\"a.jpg\">")).isEqualTo(" a.jpg ");
        assertThat(NoteFields.stripHtml("x<IMG SRC='b c.png'>y")).isEqualTo("x b c.png y");
        assertThat(NoteFields.stripHtml("<img src=d.gif>")).isEqualTo(" d.gif ");
        assertThat(NoteFields.stripHtml("<img class=\"pic\" src=\"e.jpg\" alt=\"E\">")).isEqualTo(" e.jpg ");
        assertThat(NoteFields.stripHtml("[<audio src=\"s.mp3\"></audio>]")).isEqualTo("[ s.mp3 ]");
        assertThat(NoteFields.stripHtml("<video src=\"v.mp4\" controls></video>")).isEqualTo(" v.mp4 ");
        assertThat(NoteFields.stripHtml("<object data=\"f.svg\"></object>")).isEqualTo(" f.svg ");
        assertThat(NoteFields.stripHtml("<picture><source src=\"p.webp\"></picture>")).isEqualTo(" p.webp ");
        // without a source there is no name to keep
        assertThat(NoteFields.stripHtml("<img alt=\"nothing\">")).isEmpty();
        // the name is kept as written, entities in it decoded like any other text
        assertThat(NoteFields.stripHtml("<img src=\"a&amp;b.jpg\">")).isEqualTo(" a&b.jpg ");
    }

    @Test
    void commentsStylesAndScriptsGoWithTheirContent() {
        assertThat(NoteFields.stripHtml("a<!-- hidden -->b")).isEqualTo("ab");
        assertThat(NoteFields.stripHtml("a<!-- two\nlines -->b")).isEqualTo("ab");
        assertThat(NoteFields.stripHtml("<style>.card { color: red }</style>text")).isEqualTo("text");
        assertThat(NoteFields.stripHtml("<STYLE type=\"text/css\">\np {}\n</STYLE>text")).isEqualTo("text");
        assertThat(NoteFields.stripHtml("<script>if (a < b) alert(1)</script>ok")).isEqualTo("ok");
        // non-greedy: text between two comments survives
        assertThat(NoteFields.stripHtml("<!--1-->keep<!--2-->")).isEqualTo("keep");
    }

    @Test
    void otherTagsAreRemovedWithoutASpace() {
        assertThat(NoteFields.stripHtml("<div><b>bold</b> <i>it</i></div>")).isEqualTo("bold it");
        assertThat(NoteFields.stripHtml("a<br>b<br/>c")).isEqualTo("abc");
        assertThat(NoteFields.stripHtml("<span\nclass=\"x\">y</span>")).isEqualTo("y");
        assertThat(NoteFields.stripHtml("plain text")).isEqualTo("plain text");
        assertThat(NoteFields.stripHtml("今日は")).isEqualTo("今日は");
        assertThat(NoteFields.stripHtml("")).isEmpty();
    }

    @Test
    void entitiesAreDecodedAfterTagsAreGone() {
        assertThat(NoteFields.stripHtml("&amp;&lt;&gt;&quot;")).isEqualTo("&<>\"");
        assertThat(NoteFields.stripHtml("&#65;&#x42;&#x63;")).isEqualTo("ABc");
        assertThat(NoteFields.stripHtml("&#26085;")).isEqualTo("日");
        assertThat(NoteFields.stripHtml("&#128512;")).isEqualTo("😀");
        // decoded once: an escaped entity stays an entity, an escaped tag stays text
        assertThat(NoteFields.stripHtml("&amp;lt;")).isEqualTo("&lt;");
        assertThat(NoteFields.stripHtml("&lt;b&gt;x&lt;/b&gt;")).isEqualTo("<b>x</b>");
    }

    @Test
    void noBreakSpacesBecomeSpacesWhenEntitiesAreDecoded() {
        assertThat(NoteFields.stripHtml("a&nbsp;b")).isEqualTo("a b");
        assertThat(NoteFields.stripHtml("&nbsp;&nbsp;")).isEqualTo("  ");
        // a literal U+00A0 goes too once there is decoding to do
        assertThat(NoteFields.stripHtml("a\u00a0b &amp; c")).isEqualTo("a b & c");
        // rslib decodes only when there is an '&': a lone U+00A0 is left alone
        assertThat(NoteFields.stripHtml("a\u00a0b")).isEqualTo("a\u00a0b");
    }

    @Test
    void unknownEntitiesAreKept() {
        assertThat(NoteFields.stripHtml("&bogus;")).isEqualTo("&bogus;");
        assertThat(NoteFields.stripHtml("a &madeup; b")).isEqualTo("a &madeup; b");
        assertThat(NoteFields.stripHtml("AT&T")).isEqualTo("AT&T");
        assertThat(NoteFields.stripHtml("&#xZZ;")).isEqualTo("&#xZZ;");
        // past the last code point
        assertThat(NoteFields.stripHtml("&#1114112;")).isEqualTo("&#1114112;");
        assertThat(NoteFields.stripHtml("&#99999999999999999999;")).isEqualTo("&#99999999999999999999;");
    }

    @Test
    @Disabled("bug: NoteFields decodes only amp, lt, gt, quot, apos and nbsp; rslib (htmlescape) decodes every"
            + " HTML 4 named entity, so 'caf&eacute;' gets sfld 'caf&eacute;' and csum 713297533 instead of"
            + " 'café' / 4096017706, and a full download then carries a sort field and duplicate checksum that"
            + " differ from the client's own")
    void namedEntitiesBeyondTheBasicSixAreDecodedAsAnkiDoes() {
        assertThat(NoteFields.stripHtml("caf&eacute;")).isEqualTo("café");
        assertThat(NoteFields.checksum("caf&eacute;")).isEqualTo(4096017706L);
        assertThat(NoteFields.stripHtml("a&mdash;b&hellip;&copy;")).isEqualTo("a—b…©");
        assertThat(NoteFields.stripHtml("&Auml;&szlig;")).isEqualTo("Äß");
    }

    @Test
    @Disabled("bug: NoteFields decodes entity by entity; rslib's decode_entities runs htmlescape::decode_html on"
            + " the whole text and, if any '&' does not begin a valid entity, keeps the whole text undecoded"
            + " (U+00A0 included), e.g. 'Tom & Jerry &lt;3' stays as is in Anki but becomes 'Tom & Jerry <3' here")
    void oneUndecodableAmpersandLeavesTheWholeTextAsAnkiDoes() {
        assertThat(NoteFields.stripHtml("Tom & Jerry &lt;3")).isEqualTo("Tom & Jerry &lt;3");
        assertThat(NoteFields.stripHtml("&bogus; &amp;")).isEqualTo("&bogus; &amp;");
        assertThat(NoteFields.stripHtml("a&nbsp;b &madeup;")).isEqualTo("a&nbsp;b &madeup;");
        // htmlescape reads only a lower-case x as hex, and refuses surrogates
        assertThat(NoteFields.stripHtml("&#X41; &amp;")).isEqualTo("&#X41; &amp;");
        assertThat(NoteFields.stripHtml("&#xD800;&amp;")).isEqualTo("&#xD800;&amp;");
    }

    @Test
    @Disabled("bug: MEDIA_TAG differs from rslib's HTML_MEDIA_TAGS: rslib skips quoted attribute values (which may"
            + " hold '>') before src and wants '=' right after src/data; here '<img alt=\"a>b\" src=\"x.jpg\">' gives"
            + " 'b\" src=\"x.jpg\">' instead of ' x.jpg ', and '<img src = \"x.jpg\">' gives ' x.jpg ' instead of ''")
    void mediaTagsAreReadAsAnkiReadsThem() {
        assertThat(NoteFields.stripHtml("<img alt=\"a>b\" src=\"x.jpg\">")).isEqualTo(" x.jpg ");
        assertThat(NoteFields.stripHtml("<img src = \"x.jpg\">")).isEmpty();
    }
}
