package dev.steer.cluster.config;

import java.util.List;
import java.util.Set;

import dev.steer.ingress.config.FeedConfig;

/**
 * Names the keys of {@link FeedConfig}'s messages by their full path: FeedConfig
 * validates the feed block on its own and calls its keys {@code type} or {@code channel}; in a deployment
 * they are {@code steer.feed.type} and {@code steer.feed.aeron.channel}. Start-up only.
 */
final class FeedMessages {
    private static final String UNKNOWN = ": unknown key; known keys: ";

    private FeedMessages() {
    }

    /** FeedConfig lists the known keys of an unknown one; give the did-you-mean hint where one is close. */
    private static String hint(String message) {
        final int at = message.indexOf(UNKNOWN);
        if (at < 0) {
            return message;
        }
        final String path = message.substring(0, at);
        final String key = path.substring(path.lastIndexOf('.') + 1);
        final String nearest = ConfigKeys.nearest(key, List.of(message.substring(at + UNKNOWN.length()).split(", ")));
        return nearest == null ? message : path + ": unknown key; did you mean " + nearest + "?";
    }

    /**
     * The message with its first key token qualified: {@code feed.x} becomes {@code steer.feed.x}, a top key
     * {@code steer.feed.key}, a section key of the feed {@code type} {@code steer.feed.type.key}.
     */
    static String qualify(String message, String type) {
        final String[] parts = message.split(": ", -1);
        final Set<String> section = FeedConfig.SECTION_KEYS.getOrDefault(type, Set.of());
        for (int i = 0; i < parts.length; i++) {
            final String part = parts[i];
            final String qualified = part.startsWith("feed.") ? "steer." + part
                : FeedConfig.TOP_KEYS.contains(part) ? "steer.feed." + part
                : section.contains(part) ? "steer.feed." + type + "." + part
                : null;
            if (qualified != null) {
                parts[i] = qualified;
                return hint(String.join(": ", parts));
            }
        }
        return message;
    }
}
