package android.os;

/**
 * Stand-in for Android's {@code Looper}, just enough for the AnkiDroid backend on a desktop JVM.
 *
 * <p>The backend only asks {@code Looper.getMainLooper().getThread() == Thread.currentThread()}
 * to warn about database work on Android's UI thread. The thread returned here is never started,
 * so no caller is ever "the main thread" and the check stays silent.
 */
public final class Looper {

    private static final Looper MAIN = new Looper(new Thread(() -> { }, "android-main-looper-stub"));

    private final Thread thread;

    private Looper(Thread thread) {
        this.thread = thread;
    }

    public static Looper getMainLooper() {
        return MAIN;
    }

    public Thread getThread() {
        return thread;
    }
}
