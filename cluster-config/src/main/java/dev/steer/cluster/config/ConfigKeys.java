package dev.steer.cluster.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import dev.steer.engine.map.CpuList;
import dev.steer.ingress.config.ConfigCheck;

/**
 * Small helpers of the deployment validation that {@link ConfigCheck} does not have: list items named
 * {@code path[i]}, CPU lists (read and written by the engine's {@link CpuList}). Start-up only.
 */
final class ConfigKeys {
    private ConfigKeys() {
    }

    /**
     * Reads the items of a list of objects with a ConfigCheck of their own, so that each message names the
     * item as {@code path[i].key}; items that are not objects are reported.
     *
     * @param reader reads one item from a Config whose path {@code path.i} is the item; null results are left out
     */
    static <T> List<T> objects(ConfigCheck check, ConfigValue list, String path, String example,
                               BiFunction<ConfigCheck, ItemPath, T> reader) {
        final List<T> out = new ArrayList<>();
        if (list.valueType() != ConfigValueType.LIST) {
            check.error(ConfigCheck.where(list) + path + ": must be a list such as [ " + example + " ], is " + ConfigCheck.render(list));
            return out;
        }
        final ConfigList items = (ConfigList) list;
        for (int i = 0; i < items.size(); i++) {
            final ConfigValue item = items.get(i);
            final String label = path + "[" + i + "]";
            if (item.valueType() != ConfigValueType.OBJECT) {
                check.error(ConfigCheck.where(item) + label + ": must be an object such as " + example + ", is " + ConfigCheck.render(item));
                continue;
            }
            final String dotted = path + "." + i;
            final ConfigCheck own = new ConfigCheck();
            final T value = reader.apply(own, new ItemPath(ConfigFactory.empty().withValue(dotted, item), dotted, label,
                (ConfigObject) item, i));
            for (String problem : own.errors()) {
                check.error(problem.replace(dotted + ".", label + ".").replace(dotted + ":", label + ":"));
            }
            if (value != null) {
                out.add(value);
            }
        }
        return out;
    }

    /**
     * One item of a list being read.
     *
     * @param config a Config in which {@code dotted} is the item
     * @param dotted the item's path in {@code config} ({@code a.b.3}), for ConfigCheck's getters
     * @param label  the item's name in messages ({@code a.b[3]})
     * @param object the item
     * @param index  its position in the list
     */
    record ItemPath(Config config, String dotted, String label, ConfigObject object, int index) {
        /** The path of a key of the item in {@link #config()}. */
        String key(String key) {
            return dotted + "." + key;
        }
    }

    /** A CPU list in the Linux form, {@code 0-3,6} ({@link CpuList#format}), or {@code none}. */
    static String cpuList(int[] cpus) {
        return cpus.length == 0 ? "none" : CpuList.format(cpus);
    }
}
