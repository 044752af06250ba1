package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.ingress.ChildProcesses;

/**
 * A process killed with SIGKILL cannot delete its embedded driver's directory (about 100 MB of /dev/shm); the
 * next embedded driver (Steer's own, or a cluster node's Artery driver) removes such directories of processes that no
 * longer exist, and only those.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AeronMediaSweepTest {
    @TempDir
    Path base;

    private Path driverDir(String name) throws IOException {
        final Path dir = Files.createDirectories(base.resolve(name).resolve("publications"));
        Files.write(dir.resolve("1.logbuffer"), new byte[4096]);
        Files.write(base.resolve(name).resolve("cnc.dat"), new byte[4096]);
        return base.resolve(name);
    }

    @Test
    void shouldDeleteTheDirectoryOfADeadProcessWhenAnEmbeddedDriverStarts() throws Exception {
        final Path stale = driverDir("steer-aeron-" + ChildProcesses.exitedPid() + "-3bd055fcc0d5");
        final Path mine = driverDir("steer-aeron-" + ProcessHandle.current().pid() + "-1234");
        final Path other = driverDir("someone-else-" + ChildProcesses.exitedPid());
        assertEquals(1, AeronMedia.sweepStale(base));
        assertFalse(Files.exists(stale), "the dead process' directory is removed");
        assertTrue(Files.exists(mine), "a live process' directory stays");
        assertTrue(Files.exists(other), "a directory not named by steer stays");
    }

    @Test
    void shouldLeaveNamesWithoutAPidAloneWhenSweeping() throws Exception {
        final Path odd = driverDir("steer-aeron-notapid-1");
        assertEquals(0, AeronMedia.sweepStale(base));
        assertTrue(Files.exists(odd));
    }

    @Test
    void shouldDeleteTheDirectoryOfADeadProcessWhateverOwnerItNamesWhenSweeping() throws Exception {
        final String artery = AeronMedia.newDirectory("artery-steer").getFileName().toString();
        final String mine = AeronMedia.DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-artery-steer-";
        assertTrue(artery.startsWith(mine), "named for this process and its owner: " + artery);
        final Path stale = driverDir(artery.replace(mine,
            AeronMedia.DIRECTORY_PREFIX + ChildProcesses.exitedPid() + "-artery-steer-"));
        final Path live = driverDir(artery);
        assertEquals(1, AeronMedia.sweepStale(base));
        assertFalse(Files.exists(stale), "a dead process' Artery driver directory is removed");
        assertTrue(Files.exists(live), "a live process' Artery driver directory stays");
    }

    @Test
    void shouldRefuseAnOwnerThatIsNotAFileNameWhenNamingADirectory() {
        assertThrows(IllegalArgumentException.class, () -> AeronMedia.newDirectory("../etc"));
    }
}
