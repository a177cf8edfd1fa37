package dev.deckhand.store.collection;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The derived note columns against the format doc (anki-collection-format.md 7.6), which
 * follows rslib's {@code strip_html_preserving_media_filenames} and {@code decode_entities}.
 * The expected values of the edge cases below are what rslib's own regexes (Anki 25.09's
 * {@code HTML_MEDIA_TAGS}) and the {@code htmlescape} crate produce; those not involving media
 * tags are also what Anki 2.1.66's backend returns.
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
    // htmlescape knows every HTML 4 entity, not just the basic few
    void namedEntitiesBeyondTheBasicSixAreDecodedAsAnkiDoes() {
        assertThat(NoteFields.stripHtml("caf&eacute;")).isEqualTo("café");
        assertThat(NoteFields.checksum("caf&eacute;")).isEqualTo(4096017706L);
        assertThat(NoteFields.stripHtml("a&mdash;b&hellip;&copy;")).isEqualTo("a—b…©");
        assertThat(NoteFields.stripHtml("&Auml;&szlig;")).isEqualTo("Äß");
    }

    @Test
    // rslib decodes the whole text or nothing: one bad '&' keeps every entity (and U+00A0) as written
    void oneUndecodableAmpersandLeavesTheWholeTextAsAnkiDoes() {
        assertThat(NoteFields.stripHtml("Tom & Jerry &lt;3")).isEqualTo("Tom & Jerry &lt;3");
        assertThat(NoteFields.stripHtml("&bogus; &amp;")).isEqualTo("&bogus; &amp;");
        assertThat(NoteFields.stripHtml("a&nbsp;b &madeup;")).isEqualTo("a&nbsp;b &madeup;");
        // htmlescape reads only a lower-case x as hex, and refuses surrogates
        assertThat(NoteFields.stripHtml("&#X41; &amp;")).isEqualTo("&#X41; &amp;");
        assertThat(NoteFields.stripHtml("&#xD800;&amp;")).isEqualTo("&#xD800;&amp;");
    }

    @Test
    // quoted values before src may hold '>', and '=' must follow src/data at once
    void mediaTagsAreReadAsAnkiReadsThem() {
        assertThat(NoteFields.stripHtml("<img alt=\"a>b\" src=\"x.jpg\">")).isEqualTo(" x.jpg ");
        assertThat(NoteFields.stripHtml("<img src = \"x.jpg\">")).isEmpty();
    }

    @Test
    void namedEntitiesAreExactlyTheHtml4Set() {
        assertThat(NoteFields.stripHtml("&Omega;&le;&euro;&thetasym;")).isEqualTo("Ω≤€ϑ");
        assertThat(NoteFields.stripHtml("&hellip;&trade;&loz;&spades;&diams;")).isEqualTo("…™◊♠♦");
        assertThat(NoteFields.stripHtml("&zwnj;&zwj;&lrm;&rlm;&shy;")).isEqualTo("\u200c\u200d\u200e\u200f\u00ad");
        // HTML 4's angle brackets, not HTML5's U+27E8/U+27E9
        assertThat(NoteFields.stripHtml("&lang;&rang;")).isEqualTo("\u2329\u232a");
        // names are case-sensitive
        assertThat(NoteFields.stripHtml("&Eacute;&eacute;")).isEqualTo("Éé");
        assertThat(NoteFields.stripHtml("&AMP;")).isEqualTo("&AMP;");
        assertThat(NoteFields.stripHtml("&Amp; &amp;")).isEqualTo("&Amp; &amp;");
        // &apos; is XML and HTML5, not HTML 4: the whole text stays as written
        assertThat(NoteFields.stripHtml("it&apos;s &amp; co")).isEqualTo("it&apos;s &amp; co");
    }

    @Test
    void anEntityRunsToTheNextSemicolonWhichItNeeds() {
        assertThat(NoteFields.stripHtml("caf&eacute")).isEqualTo("caf&eacute");
        assertThat(NoteFields.stripHtml("&nbsp")).isEqualTo("&nbsp");
        // the name "amp &lt" is unknown
        assertThat(NoteFields.stripHtml("&amp &lt;")).isEqualTo("&amp &lt;");
        assertThat(NoteFields.stripHtml("&&amp;")).isEqualTo("&&amp;");
        assertThat(NoteFields.stripHtml("a &amp; b &")).isEqualTo("a &amp; b &");
        assertThat(NoteFields.stripHtml("&;")).isEqualTo("&;");
        // a ';' of its own is plain text
        assertThat(NoteFields.stripHtml("x; &amp; y")).isEqualTo("x; & y");
        assertThat(NoteFields.stripHtml("&amp;&amp;;")).isEqualTo("&&;");
        assertThat(NoteFields.checksum("Tom & Jerry &lt;3")).isEqualTo(2890493677L);
    }

    @Test
    void numericEntitiesAreAnyUnicodeScalarValue() {
        assertThat(NoteFields.stripHtml("&#00000065;&#x0041;")).isEqualTo("AA");
        assertThat(NoteFields.stripHtml("&#x4A;&#x4a;")).isEqualTo("JJ");
        assertThat(NoteFields.stripHtml("a&#0;b&#9;")).isEqualTo("a\u0000b\t");
        assertThat(NoteFields.stripHtml("&#1114111;&#x10FFFF;")).isEqualTo("\udbff\udfff\udbff\udfff");
        assertThat(NoteFields.stripHtml("&#x110000;")).isEqualTo("&#x110000;");
        assertThat(NoteFields.stripHtml("&#55296; &amp;")).isEqualTo("&#55296; &amp;");
        // no digits, a stray letter, or digits of another script
        assertThat(NoteFields.stripHtml("&#x; &amp;")).isEqualTo("&#x; &amp;");
        assertThat(NoteFields.stripHtml("&#; &amp;")).isEqualTo("&#; &amp;");
        assertThat(NoteFields.stripHtml("&#65x; &amp;")).isEqualTo("&#65x; &amp;");
        assertThat(NoteFields.stripHtml("&#\u0661; &amp;")).isEqualTo("&#\u0661; &amp;");
    }

    @Test
    void noBreakSpacesStayWhenDecodingFails() {
        assertThat(NoteFields.stripHtml("a\u00a0b &bogus;")).isEqualTo("a\u00a0b &bogus;");
        assertThat(NoteFields.stripHtml("a\u00a0b &amp;")).isEqualTo("a b &");
    }

    @Test
    void theFirstSourceOfAMediaTagWins() {
        assertThat(NoteFields.stripHtml("<img src=\"a.jpg\" data=\"b.jpg\">")).isEqualTo(" a.jpg ");
        assertThat(NoteFields.stripHtml("<img src=a.jpg data=b.jpg>")).isEqualTo(" a.jpg ");
        assertThat(NoteFields.stripHtml("<img alt='x>y' title=\"p>q\" src=z.png>")).isEqualTo(" z.png ");
        // quoted values are skipped only when a '>' in them would end the tag: a src inside one counts
        assertThat(NoteFields.stripHtml("<img alt=\"<img src=a.jpg>\" src=\"b.jpg\">")).isEqualTo(" a.jpg \" src=\"b.jpg\">");
        assertThat(NoteFields.stripHtml("<img src=\"a.jpg\"><img src='b.jpg'>")).isEqualTo(" a.jpg  b.jpg ");
    }

    @Test
    void mediaTagsAndAttributesNeedWordBoundaries() {
        // '-' ends a word, so data-src holds a src attribute
        assertThat(NoteFields.stripHtml("<img data-src=\"x.jpg\">")).isEqualTo(" x.jpg ");
        assertThat(NoteFields.stripHtml("<img srcset=\"a.jpg\">")).isEmpty();
        assertThat(NoteFields.stripHtml("<img xsrc=a>")).isEmpty();
        assertThat(NoteFields.stripHtml("<imgx src=a>")).isEmpty();
        assertThat(NoteFields.stripHtml("<img_ src=a>")).isEmpty();
        // Unicode letters are word characters
        assertThat(NoteFields.stripHtml("<imgé src=a>")).isEmpty();
        assertThat(NoteFields.stripHtml("<img-x src=a>")).isEqualTo(" a ");
        assertThat(NoteFields.stripHtml("<embed src=x>")).isEmpty();
        assertThat(NoteFields.stripHtml("<iframe src=x></iframe>")).isEmpty();
        assertThat(NoteFields.stripHtml("<video src=v.mp4 poster=p.jpg>")).isEqualTo(" v.mp4 ");
        assertThat(NoteFields.stripHtml("<source srcset=x src=y>")).isEqualTo(" y ");
        assertThat(NoteFields.stripHtml("<object data=f.svg type=image/svg+xml></object>")).isEqualTo(" f.svg ");
        assertThat(NoteFields.stripHtml("<audio src='s.mp3'/>")).isEqualTo(" s.mp3 ");
    }

    @Test
    void mediaFileNamesAreReadAsRsLibsPatternReadsThem() {
        assertThat(NoteFields.stripHtml("<img src=\"a>b.jpg\">")).isEqualTo(" a>b.jpg ");
        assertThat(NoteFields.stripHtml("<img src='a\"b.jpg'>")).isEqualTo(" a\"b.jpg ");
        assertThat(NoteFields.stripHtml("<img src=a.jpg/>")).isEqualTo(" a.jpg/ ");
        assertThat(NoteFields.stripHtml("<img src=a\tb>")).isEqualTo(" a\tb ");
        // rslib's pattern is in verbose mode, which drops the space of [^ >]: an unquoted name may start with one
        assertThat(NoteFields.stripHtml("<img src= x.jpg>")).isEqualTo("  x.jpg ");
        // an empty or unclosed quoted name is read as an unquoted one, quotes included
        assertThat(NoteFields.stripHtml("<img src=\"\">")).isEqualTo(" \"\" ");
        assertThat(NoteFields.stripHtml("<img src=\"a>b\"")).isEqualTo(" \"a b\"");
        // no '>' at all: neither a media tag nor a tag
        assertThat(NoteFields.stripHtml("<img src=a.jpg")).isEqualTo("<img src=a.jpg");
        assertThat(NoteFields.stripHtml("<img >")).isEmpty();
        // sound tags are not HTML and stay as they are
        assertThat(NoteFields.stripHtml("[sound:a.mp3]")).isEqualTo("[sound:a.mp3]");
        assertThat(NoteFields.stripHtml("<img src=\"[sound:b.mp3]\">")).isEqualTo(" [sound:b.mp3] ");
    }

    @Test
    void caseIsIgnoredAsRustsSimpleCaseFoldingIgnoresIt() {
        assertThat(NoteFields.stripHtml("<IMG SRC=\"A.JPG\">")).isEqualTo(" A.JPG ");
        assertThat(NoteFields.stripHtml("<SCRIPT type=x>a</Script>b")).isEqualTo("b");
        // the long s folds to 's'; dotless and dotted i do not fold to 'i'
        assertThat(NoteFields.stripHtml("<ſource src=a>")).isEqualTo(" a ");
        assertThat(NoteFields.stripHtml("<img ſrc=a>")).isEqualTo(" a ");
        assertThat(NoteFields.stripHtml("<ſcript>x</ſcript>y")).isEqualTo("y");
        assertThat(NoteFields.stripHtml("<ımg src=a>")).isEmpty();
        assertThat(NoteFields.stripHtml("<İmg src=a>")).isEmpty();
    }

    @Test
    void tagsAreRemovedInOnePassLeftmostFirst() {
        // the "<!--" inside an attribute is part of the tag, not a comment
        assertThat(NoteFields.stripHtml("<b title=\"<!--\">x<!-- y -->z")).isEqualTo("xz");
        assertThat(NoteFields.stripHtml("a<!-->b-->c")).isEqualTo("ac");
        assertThat(NoteFields.stripHtml("<!---->x")).isEqualTo("x");
        assertThat(NoteFields.stripHtml("<!--a-->b-->")).isEqualTo("b-->");
        // an unclosed comment is an ordinary tag up to the next '>'
        assertThat(NoteFields.stripHtml("<!-- a > b")).isEqualTo(" b");
        assertThat(NoteFields.stripHtml("<!-- x")).isEqualTo("<!-- x");
        assertThat(NoteFields.stripHtml("a < b")).isEqualTo("a < b");
        assertThat(NoteFields.stripHtml("a < b > c")).isEqualTo("a  c");
        assertThat(NoteFields.stripHtml("<<b>>")).isEqualTo(">");
        assertThat(NoteFields.stripHtml("a<>b")).isEqualTo("ab");
    }

    @Test
    void styleAndScriptBlocksEndAtTheFirstCloser() {
        // no word boundary after the name in rslib's pattern
        assertThat(NoteFields.stripHtml("<stylesheet>x</style>y")).isEqualTo("y");
        assertThat(NoteFields.stripHtml("<scripts>x</script>y")).isEqualTo("y");
        assertThat(NoteFields.stripHtml("<style>a<style>b</style>c</style>d")).isEqualTo("cd");
        assertThat(NoteFields.stripHtml("<style>a</style>b<style>c</style>d")).isEqualTo("bd");
        // without the exact closer the tags go one by one and the content stays
        assertThat(NoteFields.stripHtml("<style>x")).isEqualTo("x");
        assertThat(NoteFields.stripHtml("<style>x</STYLE >y")).isEqualTo("xy");
    }

    @Test
    void blockTagsAndLineBreaksLeaveNoSeparator() {
        // the sort field is not html_to_text_line: no spaces for <br> or <div>, newlines kept
        assertThat(NoteFields.stripHtml("<div>a</div><div>b</div>")).isEqualTo("ab");
        assertThat(NoteFields.stripHtml("<p>1</p>\n<p>2</p>")).isEqualTo("1\n2");
        assertThat(NoteFields.stripHtml("a<br />b")).isEqualTo("ab");
    }

    @Test
    void longTagsWithManyQuotedValuesTakeLinearTime() {
        // java.util.regex would backtrack exponentially here (about 30 s at 20 attributes)
        String unclosed = "<img" + " a=\"x\"".repeat(50_000);
        String closed = "<img" + " a=\"x>\"".repeat(50_000) + " src=z.png>";
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(NoteFields.stripHtml(unclosed)).isEqualTo(unclosed);
            assertThat(NoteFields.stripHtml(closed)).isEqualTo(" z.png ");
            assertThat(NoteFields.stripHtml("<style>".repeat(100_000))).isEmpty();
        });
    }
}
