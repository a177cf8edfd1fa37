package dev.deckhand.store.account;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostKeysTest {

    @Test
    void keysCarryTheUserIdAndAreUnique() {
        String a = HostKeys.newKey(42);
        String b = HostKeys.newKey(42);
        assertThat(a).matches("42\\.[0-9a-f]{40}").isNotEqualTo(b);
        assertThat(HostKeys.parse(a)).get().satisfies(p -> {
            assertThat(p.userId()).isEqualTo(42);
            assertThat(p.hash()).isEqualTo(HostKeys.hash(a));
        });
    }

    @Test
    void rejectsAnythingElse() {
        for (String bad : new String[] {null, "", "b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d", "42.", ".abc",
                "x.0123456789012345678901234567890123456789", "0.0123456789012345678901234567890123456789",
                "-1.0123456789012345678901234567890123456789", "42.012345678901234567890123456789012345678g",
                "42.01234567890123456789012345678901234567890", "99999999999999999999.0123456789012345678901234567890123456789"}) {
            assertThat(HostKeys.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }
}
