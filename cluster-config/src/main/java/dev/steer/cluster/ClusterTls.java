package dev.steer.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * TLS of a node's {@code tls-tcp} transport, for Artery's {@code ConfigSSLEngineProvider}, with mutual
 * authentication always on. Every password is its own: a key store, its key and the trust store often differ.
 * {@link #toString()} hides the passwords. Immutable; checked by {@link ClusterSettings#conclude()}, which opens the
 * stores with their passwords ({@link TlsStores}) unless they were opened before ({@link ClusterSettings#tls(TlsStores.Checked)}).
 *
 * @param keyStore           key store (PKCS#12 or JKS) with this node's key and certificate
 * @param keyStorePassword   password of the key store
 * @param keyPassword        password of the key in it (often the key store's)
 * @param trustStore         trust store with the certificates (or CA) this node accepts
 * @param trustStorePassword password of the trust store
 * @param protocol           one of {@link #PROTOCOLS}
 */
public record ClusterTls(Path keyStore, String keyStorePassword, String keyPassword, Path trustStore,
                         String trustStorePassword, String protocol) {
    /** Default protocol. */
    public static final String DEFAULT_PROTOCOL = "TLSv1.3";
    /** The protocols, in JSSE spelling. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Cipher suites of TLSv1.3 (AES-GCM). */
    public static final List<String> TLS13_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
    /** Cipher suites of TLSv1.2 (ECDHE with AES-GCM): a TLSv1.2 engine cannot use TLSv1.3's. */
    public static final List<String> TLS12_SUITES = List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    /** Artery's TLS engine provider configured from {@code pekko.remote.artery.ssl.config-ssl-engine}. */
    public static final String SSL_ENGINE_PROVIDER = "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";

    /**
     * Adds a line to {@code errors} for every bad setting, naming it, its value and what is allowed; when the settings
     * themselves are valid, opens the stores as Artery will ({@link TlsStores#open}), so that a wrong password is
     * refused here rather than at the first connection, unless {@code opened} already did for these settings.
     *
     * @param opened the stores of these settings opened before, or null to open them here
     */
    void check(List<String> errors, TlsStores.Checked opened) {
        final int before = errors.size();
        store(errors, "tls.keyStore", keyStore);
        store(errors, "tls.trustStore", trustStore);
        if (keyStorePassword == null || keyStorePassword.isEmpty()) {
            errors.add("tls.keyStorePassword: must be given for tls-tcp");
        }
        if (keyPassword == null) {
            errors.add("tls.keyPassword=null: must be given for tls-tcp (often the key store's password)");
        }
        if (trustStorePassword == null) {
            errors.add("tls.trustStorePassword=null: must be given for tls-tcp");
        }
        if (!PROTOCOLS.contains(protocol)) {
            errors.add("tls.protocol='" + protocol + "': must be one of " + String.join(", ", PROTOCOLS));
        }
        if (errors.size() == before) {
            final TlsStores.Checked stores = opened != null && equals(opened.tls()) ? opened : TlsStores.open(this);
            for (TlsStores.Problem problem : stores.problems()) {
                errors.add("tls." + problem.setting().field() + ": " + problem.reason());
            }
        }
    }

    /** The Pekko keys of these settings ({@code pekko.remote.artery.ssl}); only after {@link #check}. */
    Config toConfig() {
        final String p = "pekko.remote.artery.ssl.config-ssl-engine.";
        return ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.ssl.ssl-engine-provider", SSL_ENGINE_PROVIDER,
            p + "key-store", keyStore.toString(),
            p + "key-store-password", keyStorePassword,
            p + "key-password", keyPassword,
            p + "trust-store", trustStore.toString(),
            p + "trust-store-password", trustStorePassword,
            p + "require-mutual-authentication", true,
            p + "protocol", protocol,
            p + "enabled-algorithms", "TLSv1.2".equals(protocol) ? TLS12_SUITES : TLS13_SUITES), "steer cluster TLS");
    }

    private static void store(List<String> errors, String name, Path store) {
        if (store == null || !Files.isRegularFile(store) || !Files.isReadable(store)) {
            errors.add(name + "=" + store + ": must be a readable key store file (PKCS#12 or JKS) for tls-tcp");
        }
    }

    @Override
    public String toString() {
        return "ClusterTls[keyStore=" + keyStore + ", trustStore=" + trustStore + ", protocol=" + protocol
            + ", passwords hidden]";
    }
}
