package dev.deckhand.ankiclient;

import anki.backend.GeneratedBackend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.json.JSONObject;

/**
 * Anki 2.1.66's typed backend API in front of the Anki 26.x backend: each RPC's request is
 * encoded with 2.1.66's protobuf classes and run by the 26.x process under the same method name
 * (whose numbering differs between the versions); the answer is read back with 2.1.66's classes,
 * which keep fields they do not know. So every helper written against the 2.1.66 API (making
 * changes, digests, Check Database) drives the 26.x client unchanged, and 26.x's own logic runs.
 */
final class PythonBackend extends GeneratedBackend {

    private static final Map<Long, String> NAMES_BY_INDEX = namesByIndex();

    private final PythonAnkiProcess process;

    PythonBackend(PythonAnkiProcess process) {
        this.process = process;
    }

    @Override
    protected byte[] runMethodRaw(int service, int method, byte[] input) {
        String name = NAMES_BY_INDEX.get(key(service, method));
        if (name == null) {
            throw new IllegalStateException("no 2.1.66 backend method has index " + service + "/" + method);
        }
        Object result = process.call("rpc", new JSONObject()
                .put("method", name)
                .put("input", Base64.getEncoder().encodeToString(input)));
        return Base64.getDecoder().decode((String) result);
    }

    @Override
    protected byte[] runMethodRawNoLock(int service, int method, byte[] input) {
        return runMethodRaw(service, method, input);
    }

    private static long key(int service, int method) {
        return ((long) service << 32) | (method & 0xffffffffL);
    }

    /** Calls each {@code fooRaw(byte[])} once on a recorder to learn the index it sends. */
    private static Map<Long, String> namesByIndex() {
        final class Recorder extends GeneratedBackend {
            long last;

            @Override
            protected byte[] runMethodRaw(int service, int method, byte[] input) {
                last = key(service, method);
                return new byte[0];
            }

            @Override
            protected byte[] runMethodRawNoLock(int service, int method, byte[] input) {
                return runMethodRaw(service, method, input);
            }
        }
        Recorder recorder = new Recorder();
        Map<Long, String> names = new HashMap<>();
        for (Method m : GeneratedBackend.class.getMethods()) {
            if (m.getName().endsWith("Raw") && !Modifier.isStatic(m.getModifiers())
                    && m.getParameterCount() == 1 && m.getParameterTypes()[0] == byte[].class
                    && m.getReturnType() == byte[].class) {
                try {
                    m.invoke(recorder, (Object) new byte[0]);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot learn the index of " + m.getName(), e);
                }
                names.put(recorder.last, m.getName().substring(0, m.getName().length() - "Raw".length()));
            }
        }
        return Map.copyOf(names);
    }
}
