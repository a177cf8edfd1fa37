package dev.deckhand.store.account;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Password hashes as PHC strings. New hashes are Argon2id; PBKDF2 strings
 * ({@code $pbkdf2-sha256$} / {@code $pbkdf2-sha512$}) are accepted too, because that is what
 * Anki's own server takes in {@code SYNC_USERn} when {@code PASSWORDS_HASHED} is set.
 */
public final class PasswordHashes {

    // OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane. About 30 ms per login here.
    private static final int MEMORY_KIB = 19_456;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    // A malicious PHC string must not make a login take minutes or gigabytes.
    private static final int MAX_MEMORY_KIB = 1 << 20;
    private static final int MAX_ITERATIONS = 10_000_000;

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHashes() {}

    /** A new Argon2id PHC string for this password. */
    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] out = argon2id(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether the password matches the PHC string. Constant-time in the comparison. */
    public static boolean verify(String phc, String password) {
        Phc p = Phc.parse(phc);
        byte[] actual = switch (p.algorithm()) {
            case "argon2id" -> argon2id(password, p.salt(), p.intParam("m", 1, MAX_MEMORY_KIB),
                    p.intParam("t", 1, MAX_ITERATIONS), p.intParam("p", 1, 64), p.hash().length);
            case "pbkdf2-sha256" -> pbkdf2(new SHA256Digest(), password, p.salt(),
                    p.intParam("i", 1, MAX_ITERATIONS), p.hash().length);
            case "pbkdf2-sha512" -> pbkdf2(new SHA512Digest(), password, p.salt(),
                    p.intParam("i", 1, MAX_ITERATIONS), p.hash().length);
            default -> throw new IllegalArgumentException("unsupported password hash: " + p.algorithm());
        };
        return MessageDigest.isEqual(actual, p.hash());
    }

    /** Throws {@link IllegalArgumentException} unless this is a PHC string we can verify. */
    public static void requireSupported(String phc) {
        Phc p = Phc.parse(phc);
        switch (p.algorithm()) {
            case "argon2id" -> {
                p.intParam("m", 1, MAX_MEMORY_KIB);
                p.intParam("t", 1, MAX_ITERATIONS);
                p.intParam("p", 1, 64);
            }
            case "pbkdf2-sha256", "pbkdf2-sha512" -> p.intParam("i", 1, MAX_ITERATIONS);
            default -> throw new IllegalArgumentException("unsupported password hash algorithm '"
                    + p.algorithm() + "' (use argon2id, pbkdf2-sha256 or pbkdf2-sha512)");
        }
    }

    private static byte[] argon2id(String password, byte[] salt, int memoryKib, int iterations,
                                   int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism)
                .withSalt(salt).build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    private static byte[] pbkdf2(Digest digest, String password, byte[] salt, int iterations, int length) {
        PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(digest);
        generator.init(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
        return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
    }

    /** {@code $<id>[$v=<version>]$<k=v,...>$<salt>$<hash>}, salt and hash in unpadded Base64. */
    private record Phc(String algorithm, Map<String, String> params, byte[] salt, byte[] hash) {

        static Phc parse(String phc) {
            if (phc == null || !phc.startsWith("$") || phc.length() > 1024) {
                throw new IllegalArgumentException("not a PHC string");
            }
            String[] parts = phc.substring(1).split("\\$", -1);
            int i = 0;
            String id = parts[i++];
            if (parts.length == 5 && parts[1].startsWith("v=")) {
                if (!parts[1].equals("v=19")) {
                    throw new IllegalArgumentException("unsupported argon2 version " + parts[1]);
                }
                i++;
            }
            if (parts.length - i != 3) {
                throw new IllegalArgumentException("PHC string must be $id$params$salt$hash");
            }
            Map<String, String> params = new HashMap<>();
            for (String kv : parts[i++].split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("bad PHC parameter '" + kv + "'");
                }
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            try {
                byte[] salt = B64_DECODER.decode(parts[i++]);
                byte[] hash = B64_DECODER.decode(parts[i]);
                if (salt.length < 8 || hash.length < 16 || hash.length > 128) {
                    throw new IllegalArgumentException("PHC salt or hash has an unusable length");
                }
                return new Phc(id, params, salt, hash);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad Base64 in PHC string: " + e.getMessage(), e);
            }
        }

        int intParam(String name, int min, int max) {
            String v = params.get(name);
            if (v == null) {
                throw new IllegalArgumentException("PHC string lacks parameter " + name);
            }
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new IllegalArgumentException("PHC parameter " + name + "=" + n + " out of range");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PHC parameter " + name + " is not a number");
            }
        }
    }
}
