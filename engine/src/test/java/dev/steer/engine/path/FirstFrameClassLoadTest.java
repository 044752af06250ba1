package dev.steer.engine.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The data path loads no class of the engine on its first frames: every class a frame needs on its way from the feed
 * to the handler is loaded and initialised while the paths are built, on the engine's start, not in the first poll of
 * a run, where loading (and, under a JFR recording, registering the tracepoint events) held the first frames up for
 * tens of milliseconds.
 *
 * <p>The engine's classes are loaded here by a class loader of the test's own, so that which of them the first
 * frames load does not depend on the tests that ran before in the same JVM.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FirstFrameClassLoadTest {
    /** Loads the engine's classes itself (parent last), and says which it has defined. */
    private static final class EngineClassLoader extends ClassLoader {
        private final List<String> defined = new ArrayList<>();

        EngineClassLoader(ClassLoader parent) {
            super("first-frame", parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.steer.engine.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    final String path = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(path)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        final byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                        synchronized (defined) {
                            defined.add(name);
                        }
                    } catch (IOException ex) {
                        throw new ClassNotFoundException(name, ex);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        List<String> definedSoFar() {
            synchronized (defined) {
                return new ArrayList<>(defined);
            }
        }
    }

    @Test
    void shouldLoadNoEngineClassWhenTheFirstFramesGoFromIngressToHandler() throws Exception {
        final EngineClassLoader loader = new EngineClassLoader(FirstFrameClassLoadTest.class.getClassLoader());
        final Runnable firstFrames = (Runnable) loader.loadClass("dev.steer.engine.path.FirstPollScenario")
            .getDeclaredConstructor().newInstance();
        final int before = loader.definedSoFar().size();

        firstFrames.run();

        final List<String> all = loader.definedSoFar();
        assertEquals(List.of(), all.subList(before, all.size()), "classes the first frames loaded");
    }
}
