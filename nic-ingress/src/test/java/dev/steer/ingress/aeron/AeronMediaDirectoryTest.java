package dev.steer.ingress.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an embedded driver's directory goes, and what is said when it cannot be made there. Users who are not root
 * meet a {@code /dev/shm} they cannot write (a container mounting it read-only or root-owned); root writes into any
 * directory, so the cases of an unwritable directory skip as root, saying so.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AeronMediaDirectoryTest {
    @TempDir
    Path temp;

    private Path readOnlyDirectory() throws IOException {
        final Path dir = Files.createDirectory(temp.resolve("read-only"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        assumeFalse(Files.isWritable(dir), "this user writes into a read-only directory (root): nothing to test with");
        return dir;
    }

    @Test
    void shouldUseDevShmWhenItIsAWritableDirectory() throws IOException {
        final Path shm = Files.createDirectory(temp.resolve("shm"));
        assertEquals(shm, AeronMedia.directoryBase(shm, temp));
    }

    @Test
    void shouldUseTheTemporaryDirectoryWhenThereIsNoDevShm() {
        assertEquals(temp, AeronMedia.directoryBase(temp.resolve("absent"), temp));
    }

    @Test
    void shouldUseTheTemporaryDirectoryWhenDevShmIsNotWritableByThisUser() throws IOException {
        assertEquals(temp, AeronMedia.directoryBase(readOnlyDirectory(), temp));
    }

    @Test
    void shouldSayTheBaseIsNoDirectoryWhenTheEmbeddedDriverCannotMakeItsDirectoryThere() throws IOException {
        final Path file = Files.writeString(temp.resolve("a-file"), "x");
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> AeronMedia.embedded(file));
        assertTrue(refused.getMessage().contains(file + " is not a directory"), refused.getMessage());
    }

    @Test
    void shouldNameTheUserAndWhatToDoWhenTheEmbeddedDriverCannotWriteItsBase() throws IOException {
        final Path base = readOnlyDirectory();
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> AeronMedia.embedded(base));
        final String message = refused.getMessage();
        assertTrue(message.contains(base + " is not writable by user " + System.getProperty("user.name")), message);
        assertTrue(message.contains("-Djava.io.tmpdir="), "says how to choose another directory: " + message);
    }

    /** Runs {@code body} with the system property {@code name} set to {@code value}, then puts the property back. */
    private static void withProperty(String name, String value, Runnable body) {
        final String before = System.getProperty(name);
        System.setProperty(name, value);
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, before);
            }
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    @Test
    void shouldNameTheDirectoryAndLeaveNothingWhenTheEmbeddedDriversSettingsCannotBeMade() throws IOException {
        // The driver's settings read Aeron's system properties as they are made: a malformed one fails there.
        final String property = "aeron.timer.interval";
        withProperty(property, "soon", () -> {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> AeronMedia.embedded(temp).close());
            final String message = refused.getMessage();
            assertTrue(message.startsWith("cannot start the embedded Aeron media driver in "
                + temp.resolve(AeronMedia.DIRECTORY_PREFIX)), message);
            assertTrue(message.contains(property), "names the setting: " + message);
        });
        assertEquals(List.of(), entries(temp), "no directory left behind");
    }

    @Test
    void shouldLeaveNoDirectoryWhenTheEmbeddedDriverFailsAfterMakingIt() throws IOException {
        // Checked by the driver after it has made its directory, outside its own clean-up: an initial window larger than
        // the receive buffer asked for.
        final String property = "aeron.socket.so_rcvbuf";
        withProperty(property, "4096", () -> {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> AeronMedia.embedded(temp).close());
            assertTrue(refused.getMessage().startsWith("cannot start the embedded Aeron media driver in "
                + temp.resolve(AeronMedia.DIRECTORY_PREFIX)), refused.getMessage());
        });
        assertEquals(List.of(), entries(temp), "no directory left behind");
    }
}
