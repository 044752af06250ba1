package dev.steer.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test support: makes PKCS#12 key and trust stores with the JDK's keytool, in a directory the test owns. */
public final class Keystores {
    /** The password of the stores of {@link #keyPair(Path, String)} and {@link #trustStore(Path, String, String...)}. */
    public static final String PASSWORD = "steer-test";

    private Keystores() {
    }

    /** A key store {@code name}.p12 with a fresh EC key pair and self-signed certificate, made by keytool. */
    public static Path keyPair(Path dir, String name) {
        final Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
            "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
            "-keypass", PASSWORD);
        return store;
    }

    /**
     * A JKS key store {@code name}.jks with a fresh EC key pair whose key has a password of its own: keytool
     * writes PKCS#12 stores with one password for the store and its keys, JKS ones with two.
     */
    public static Path keyPair(Path dir, String name, String storePassword, String keyPassword) {
        final Path store = dir.resolve(name + ".jks");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
            "-validity", "2", "-keystore", store.toString(), "-storetype", "JKS", "-storepass", storePassword,
            "-keypass", keyPassword);
        return store;
    }

    /** A PKCS#12 trust store {@code name}.p12 with password {@code password} holding the certificate {@code alias} of {@code keyStore}. */
    public static Path trustStore(Path dir, String name, String password, Path keyStore, String keyStorePassword, String alias) {
        final Path store = dir.resolve(name + ".p12");
        try {
            final KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, keyStorePassword.toCharArray());
            }
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(alias, keys.getCertificate(alias));
            try (OutputStream out = Files.newOutputStream(store)) {
                trust.store(out, password.toCharArray());
            }
        } catch (IOException | GeneralSecurityException ex) {
            throw new IllegalStateException("cannot write trust store " + store, ex);
        }
        return store;
    }

    /**
     * A trust store {@code name}.p12 holding the certificates of the key pairs {@code trusted} (made with
     * {@link #keyPair} in {@code dir}). Written with the KeyStore API: a keytool process per certificate would
     * cost a JVM start each.
     */
    public static Path trustStore(Path dir, String name, String... trusted) {
        final Path store = dir.resolve(name + ".p12");
        try {
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (String alias : trusted) {
                final KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
                    keys.load(in, PASSWORD.toCharArray());
                }
                trust.setCertificateEntry(alias, keys.getCertificate(alias));
            }
            try (OutputStream out = Files.newOutputStream(store)) {
                trust.store(out, PASSWORD.toCharArray());
            }
        } catch (IOException | GeneralSecurityException ex) {
            throw new IllegalStateException("cannot write trust store " + store, ex);
        }
        return store;
    }

    private static void keytool(String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        run(Path.of("").toAbsolutePath(), command);
    }

    /**
     * Runs {@code command} in {@code dir} for at most 30 s and fails, with what it wrote, unless it exits 0. Its input
     * is empty, so a tool that prompts reads end of input and fails instead of waiting for an answer; its output goes
     * to a file, read once it has exited, so a process that does not exit cannot hold the test in a read that no
     * timeout interrupts: it is killed.
     */
    public static void run(Path dir, List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("steer-test-command", ".out");
            final Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not end within 30 s: "
                    + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                    + "): " + Files.readString(output));
            }
        } catch (IOException ex) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), ex);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // A temp file left behind is the least of a failed run's troubles.
                }
            }
        }
    }
}
