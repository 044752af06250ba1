package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;

/**
 * The default error handler logs the first failures in full: an exception of user code (a handler's, a program's) with
 * its stack trace, whatever its type, since that trace is where the user's bug is; only Steer's own conditions, whose
 * message says everything, in one line. It logs through System.Logger, which without a logging bridge on the class
 * path is java.util.logging: the test listens there.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultErrorLogTest {
    private final Logger log = Logger.getLogger("dev.steer");
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler listener = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private boolean parentHandlers;

    @BeforeEach
    void listen() {
        parentHandlers = log.getUseParentHandlers();
        log.setUseParentHandlers(false);
        log.addHandler(listener);
    }

    @AfterEach
    void stopListening() {
        log.removeHandler(listener);
        log.setUseParentHandlers(parentHandlers);
    }

    private List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    private static boolean thrownHere(Throwable thrown) {
        return Arrays.stream(thrown.getStackTrace())
            .anyMatch(frame -> frame.getClassName().startsWith(DefaultErrorLogTest.class.getName()));
    }

    @Test
    void shouldLogTheStackTraceWhenAHandlerOrProgramThrowsIllegalStateException() throws Exception {
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(1).entry(0, 64).pinning(false)
            .systemName("default-error-log")
            .program(view -> {
                if (SequencedFeed.flowOf(view) == 1) {
                    throw new IllegalStateException("program bug");
                }
                return Verdict.redirect(0, Verdict.DROP);
            })
            .handler(batch -> {
                throw new IllegalStateException("handler bug");
            })
            .feed(new SequencedFeed("f", 0, 2, 16)).start();
        final EngineStats stats = EngineRuns.runToEnd(engine, Duration.ofSeconds(10));
        assertEquals(8, stats.ingressTotal(Counter.PROGRAM_EXCEPTIONS), stats.ingresses().toString());
        assertEquals(1, stats.consumerTotal(Counter.HANDLER_EXCEPTIONS), stats.consumers().toString());

        final List<LogRecord> logged = records();
        for (String bug : List.of("handler bug", "program bug")) {
            final LogRecord record = logged.stream().filter(r -> r.getMessage().contains(bug)).findFirst().orElse(null);
            assertNotNull(record, bug + " logged: " + logged.stream().map(LogRecord::getMessage).toList());
            assertNotNull(record.getThrown(), bug + ": logged without its stack trace: " + record.getMessage());
            assertTrue(thrownHere(record.getThrown()), bug + ": the trace shows where it was thrown");
        }
    }

    @Test
    void shouldLogInOneLineWhenSteerReportsAConditionOfItsOwn() {
        new LoggingErrorHandler().onError("ingress-0", new EngineWarning("ingress-0 runs unpinned: no such CPU"));
        final List<LogRecord> logged = records();
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).getMessage().contains("ingress-0 runs unpinned: no such CPU"), logged.get(0).getMessage());
        assertNull(logged.get(0).getThrown(), "Steer's own condition has no trace to show");
    }
}
