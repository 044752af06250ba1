package dev.steer.cluster.config;

import java.util.Set;

import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;

/**
 * Names the keys of {@link FeedConfig}'s messages by their full path: FeedConfig
 * validates the feed block on its own and calls its keys {@code type} or {@code channel}; in a deployment
 * they are {@code steer.feed.type} and {@code steer.feed.aeron.channel}. Start-up only.
 */
final class FeedMessages {
    private FeedMessages() {
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
                return String.join(": ", parts);
            }
        }
        return message;
    }
}
