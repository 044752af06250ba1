package dev.steer.ingress.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

/**
 * Resolves substitutions so that a value taken from an environment variable keeps the place that asked for it.
 * HOCON gives such a value the origin "env variables", with no file and no line, so a message about a wrong
 * {@code key-store-password = ${?STEER_KEY_STORE_PASSWORD}} named neither; here it names the file and the line
 * of the substitution, where the variable's name is written. Off the hot path; any thread.
 */
public final class Substitutions {
    private Substitutions() {
    }

    /**
     * {@code config.resolve()}, with every value that a substitution took from outside any file (an environment
     * variable) given the origin of that substitution. Values in lists keep HOCON's origin.
     *
     * @throws ConfigException as {@link Config#resolve()} does
     */
    public static Config resolve(Config config) {
        final Map<String, ConfigOrigin> written = new LinkedHashMap<>();
        collect(config.root(), new ArrayList<>(), written);
        Config resolved = config.resolve();
        for (Map.Entry<String, ConfigOrigin> at : written.entrySet()) {
            if (!resolved.hasPath(at.getKey())) {
                continue;
            }
            final ConfigValue value = resolved.getValue(at.getKey());
            final ConfigOrigin origin = value.origin();
            if (origin.filename() == null && origin.resource() == null && origin.url() == null
                && at.getValue().filename() != null) {
                resolved = resolved.withValue(at.getKey(), value.withOrigin(at.getValue()));
            }
        }
        return resolved;
    }

    /** The paths of the unresolved values under {@code object}, each with the origin of its substitution. */
    private static void collect(ConfigObject object, List<String> path, Map<String, ConfigOrigin> written) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            path.add(entry.getKey());
            final ConfigValue value = entry.getValue();
            try {
                if (value instanceof ConfigObject child) {
                    collect(child, path, written);
                } else {
                    value.valueType();
                }
            } catch (ConfigException.NotResolved ex) {
                written.put(ConfigUtil.joinPath(path), value.origin());
            }
            path.removeLast();
        }
    }
}
