package dev.steer.ingress.aeron;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded media driver and its client shared by every test of a class, held in a static
 * {@code @RegisterExtension} field: launched before the class's first test, closed (its directory deleted) after
 * its last.
 */
final class EmbeddedMediaPerClass implements BeforeAllCallback, AfterAllCallback {
    private AeronMedia media;

    @Override
    public void beforeAll(ExtensionContext context) {
        media = AeronMedia.embedded();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (media != null) {
            media.close();
            media = null;
        }
    }

    /** The class's media: only from before its first test to after its last. */
    AeronMedia media() {
        if (media == null) {
            throw new IllegalStateException("no media driver: register EmbeddedMediaPerClass as a static "
                + "@RegisterExtension field");
        }
        return media;
    }
}
