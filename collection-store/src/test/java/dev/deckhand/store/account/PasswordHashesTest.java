package dev.deckhand.store.account;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHashesTest {

    // Made with the reference argon2 CLI: echo -n "correct horse" | argon2 c29tZXNhbHRzYWx0 -id -t 2 -k 19456 -p 1 -l 32 -e
    private static final String ARGON2ID_REFERENCE =
            "$argon2id$v=19$m=19456,t=2,p=1$YzI5dFpYTmhiSFJ6WVd4MA$BI2antO3JEvR9YhWISMvKNAJ+HZdNhtt7UiFAbvgFlA";
    // Made with Python's hashlib.pbkdf2_hmac, in the layout Anki's server accepts with PASSWORDS_HASHED.
    private static final String PBKDF2_SHA256_REFERENCE =
            "$pbkdf2-sha256$i=1000,l=32$c2FsdHlzYWx0c2FsdDEyMw$6zMo8EjupFW/HMRJU5LZG6c2XpRPl8U8AjMilRm5PF0";
    private static final String PBKDF2_SHA512_REFERENCE =
            "$pbkdf2-sha512$i=1000,l=64$c2FsdHlzYWx0c2FsdDEyMw$8wVSRw519AZtQhEuwnmBwPU3LlTWEoZXWH3znzTspgP7NRxx9jAjFOgC4BCwYMajmJDKn0X4K0NUO/OQ6rh46g";

    @Test
    void newHashesAreArgon2idAndVerify() {
        String phc = PasswordHashes.hash("pässword");
        assertThat(phc).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(PasswordHashes.verify(phc, "pässword")).isTrue();
        assertThat(PasswordHashes.verify(phc, "password")).isFalse();
        assertThat(PasswordHashes.hash("pässword")).isNotEqualTo(phc); // salted
    }

    @Test
    void verifiesReferenceArgon2id() {
        assertThat(PasswordHashes.verify(ARGON2ID_REFERENCE, "correct horse")).isTrue();
        assertThat(PasswordHashes.verify(ARGON2ID_REFERENCE, "correct horse ")).isFalse();
    }

    @Test
    void verifiesAnkiStylePbkdf2() {
        assertThat(PasswordHashes.verify(PBKDF2_SHA256_REFERENCE, "päss:word")).isTrue();
        assertThat(PasswordHashes.verify(PBKDF2_SHA256_REFERENCE, "pass:word")).isFalse();
        assertThat(PasswordHashes.verify(PBKDF2_SHA512_REFERENCE, "hunter2")).isTrue();
        assertThat(PasswordHashes.verify(PBKDF2_SHA512_REFERENCE, "hunter3")).isFalse();
    }

    @Test
    void rejectsUnusableStrings() {
        assertThatThrownBy(() -> PasswordHashes.requireSupported("plain")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasswordHashes.requireSupported("$pbkdf2$i=1000$c2FsdHlzYWx0$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("unsupported");
        assertThatThrownBy(() -> PasswordHashes.requireSupported("$pbkdf2-sha256$i=1000,l=32$@@@$@@@"))
                .hasMessageContaining("Base64");
        // absurd cost parameters would let one login stall the server
        assertThatThrownBy(() -> PasswordHashes.requireSupported(
                "$argon2id$v=19$m=99999999,t=2,p=1$YzI5dFpYTmhiSFJ6WVd4MA$BI2antO3JEvR9YhWISMvKNAJ+HZdNhtt7UiFAbvgFlA"))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> PasswordHashes.requireSupported(
                "$pbkdf2-sha256$i=-5,l=32$c2FsdHlzYWx0c2FsdDEyMw$6zMo8EjupFW/HMRJU5LZG6c2XpRPl8U8AjMilRm5PF0"))
                .hasMessageContaining("out of range");
        PasswordHashes.requireSupported(ARGON2ID_REFERENCE);
        PasswordHashes.requireSupported(PBKDF2_SHA256_REFERENCE);
    }
}
