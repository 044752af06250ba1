package dev.steer.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Opens the stores of a {@link ClusterTls} as Artery's {@code ConfigSSLEngineProvider} will: each with
 * {@link KeyStore#getDefaultType()} (PKCS12, which also reads JKS) and its password, and every key entry of the key
 * store with the key password (as the JDK's default {@code KeyManagerFactory} does). Artery opens them only when a
 * connection starts, so a wrong password used to surface as stack traces in a node that waited 120 s for a cluster it
 * could not join; {@link ClusterSettings#conclude()} and the deployment loader refuse it before anything starts.
 * Reads both files (a few milliseconds of key derivation): a deployment's stores are opened once, when it is loaded
 * ({@link Checked}). Start-up only, any thread.
 */
public final class TlsStores {
    /** A setting of the TLS block, by its name in {@link ClusterTls} and in a deployment file's {@code steer.cluster.tls}. */
    public enum Setting {
        /** The key store file. */
        KEY_STORE("keyStore", "key-store"),
        /** The key store's password. */
        KEY_STORE_PASSWORD("keyStorePassword", "key-store-password"),
        /** The password of the key in the key store. */
        KEY_PASSWORD("keyPassword", "key-password"),
        /** The trust store file. */
        TRUST_STORE("trustStore", "trust-store"),
        /** The trust store's password. */
        TRUST_STORE_PASSWORD("trustStorePassword", "trust-store-password");

        private final String field;
        private final String key;

        Setting(String field, String key) {
            this.field = field;
            this.key = key;
        }

        /** The name in {@link ClusterTls} ({@code keyStorePassword}). */
        public String field() {
            return field;
        }

        /** The key in a deployment file's {@code steer.cluster.tls} block ({@code key-store-password}). */
        public String key() {
            return key;
        }
    }

    /**
     * One thing a node could not start with.
     *
     * @param setting the setting to change
     * @param reason  the file and what is wrong with it, without the setting's name; never a password
     */
    public record Problem(Setting setting, String reason) {
    }

    /**
     * The stores of one {@link ClusterTls} as {@link #open} found them. Made only by {@link #open}: settings given one
     * ({@link ClusterSettings#tls(Checked)}) report its problems instead of opening the stores again, so a deployment
     * file's stores, opened when it is loaded, are not opened a second time when its node starts. Immutable.
     */
    public static final class Checked {
        private final ClusterTls tls;
        private final List<Problem> problems;

        private Checked(ClusterTls tls, List<Problem> problems) {
            this.tls = tls;
            this.problems = List.copyOf(problems);
        }

        /** The settings whose stores were opened. */
        public ClusterTls tls() {
            return tls;
        }

        /** What keeps Artery from opening the stores, empty when nothing does. */
        public List<Problem> problems() {
            return problems;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Checked c && tls.equals(c.tls) && problems.equals(c.problems);
        }

        @Override
        public int hashCode() {
            return 31 * tls.hashCode() + problems.hashCode();
        }

        @Override
        public String toString() {
            return "TlsStores.Checked[" + tls + ", problems=" + problems + "]";
        }
    }

    private TlsStores() {
    }

    /**
     * Opens the stores of {@code tls}: the result names what keeps Artery from opening them. A store that is not a
     * readable file, or a null password, is left to {@link ClusterTls#check}, which names it.
     */
    public static Checked open(ClusterTls tls) {
        final List<Problem> problems = new ArrayList<>();
        final KeyStore keys = load(problems, tls.keyStore(), tls.keyStorePassword(), Setting.KEY_STORE,
            Setting.KEY_STORE_PASSWORD, "key store");
        if (keys != null && tls.keyPassword() != null) {
            keys(problems, keys, tls.keyStore(), tls.keyPassword());
        }
        final KeyStore trust = load(problems, tls.trustStore(), tls.trustStorePassword(), Setting.TRUST_STORE,
            Setting.TRUST_STORE_PASSWORD, "trust store");
        if (trust != null && !hasCertificate(trust)) {
            problems.add(new Problem(Setting.TRUST_STORE, tls.trustStore() + " holds no certificate: the node would "
                + "trust no other node; import every node's certificate (or your CA's) with keytool -importcert"));
        }
        return new Checked(tls, problems);
    }

    private static KeyStore load(List<Problem> problems, Path file, String password, Setting store, Setting storePassword,
                                 String what) {
        if (file == null || password == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            final KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
            keyStore.load(in, password.toCharArray());
            return keyStore;
        } catch (IOException ex) {
            // The JDK marks a wrong password (the store's integrity check or decryption failed) with this cause.
            if (ex.getCause() instanceof UnrecoverableKeyException) {
                problems.add(new Problem(storePassword, "does not open the " + what + " " + file
                    + ": the password is wrong (" + ex.getMessage() + ")"));
            } else {
                problems.add(new Problem(store, file + " is not a PKCS12 or JKS " + what + " (" + ex.getMessage() + ")"));
            }
        } catch (GeneralSecurityException ex) {
            problems.add(new Problem(store, file + " cannot be read as a " + what + " (" + ex + ")"));
        }
        return null;
    }

    private static void keys(List<Problem> problems, KeyStore keys, Path file, String password) {
        int privateKeys = 0;
        try {
            for (String alias : Collections.list(keys.aliases())) {
                if (!keys.isKeyEntry(alias)) {
                    continue;
                }
                try {
                    final Key key = keys.getKey(alias, password.toCharArray());
                    privateKeys += key instanceof PrivateKey ? 1 : 0;
                } catch (UnrecoverableKeyException ex) {
                    problems.add(new Problem(Setting.KEY_PASSWORD, "does not recover the key '" + alias + "' of the key store "
                        + file + ": the password is wrong (" + ex.getMessage() + ")"));
                    return;
                }
            }
        } catch (GeneralSecurityException ex) {
            problems.add(new Problem(Setting.KEY_STORE, file + " cannot be read as a key store (" + ex + ")"));
            return;
        }
        if (privateKeys == 0) {
            problems.add(new Problem(Setting.KEY_STORE, file + " holds no private key: must hold this node's key and "
                + "certificate (keytool -genkeypair)"));
        }
    }

    private static boolean hasCertificate(KeyStore trust) {
        try {
            for (String alias : Collections.list(trust.aliases())) {
                if (trust.getCertificate(alias) != null) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException ex) {
            return true; // thrown only by a store that was not loaded: no problem of the file
        }
    }
}
