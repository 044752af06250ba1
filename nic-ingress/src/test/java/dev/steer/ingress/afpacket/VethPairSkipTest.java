package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Where network namespaces cannot be created (not root, say), the tests of a class sharing one {@link VethPair} are
 * each reported skipped with the reason. Aborting the whole class before its first test instead is reported by Maven
 * Surefire as "Tests run: 0, Skipped: 0", with the reason nowhere: as if the class had no tests.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VethPairSkipTest {
    static final String REASON = "not root (euid 1000): creating network namespaces and AF_PACKET sockets needs root";

    /** A class of AF_PACKET tests run where namespaces cannot be created; run only by the test below. */
    static class Unprivileged {
        @RegisterExtension
        static final VethPair VETH = VethPair.perTestClass(() -> REASON);

        @Test
        void first() {
            fail("ran without a veth pair: " + VETH.netns());
        }

        @Test
        void second() {
            fail("ran without a veth pair: " + VETH.netns());
        }
    }

    @Test
    void shouldReportEachTestSkippedWithTheReasonWhenNamespacesCannotBeCreated() {
        final Map<String, String> skipped = new TreeMap<>();
        final List<String> finished = new CopyOnWriteArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(Unprivileged.class)).build(), new TestExecutionListener() {
                @Override
                public void executionSkipped(TestIdentifier test, String reason) {
                    if (test.isTest()) {
                        skipped.put(test.getDisplayName(), reason);
                    }
                }

                @Override
                public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        finished.add(test.getDisplayName() + ": " + result);
                    }
                }
            });
        assertEquals(List.of(), finished, "nothing aborted or failed");
        final String why = "AF_PACKET tests skipped: " + REASON;
        assertEquals(Map.of("first()", why, "second()", why), skipped);
    }
}
