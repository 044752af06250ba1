package dev.steer.cluster.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import dev.steer.actors.IdleMode;
import dev.steer.actors.SteerEngine;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuList;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.program.Programs;
import dev.steer.cluster.ClusterTls;
import dev.steer.cluster.TlsStores;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.ingress.config.FeedConfig;
import dev.steer.ingress.config.HoconFile;
import dev.steer.ingress.config.Substitutions;

/**
 * Reads a deployment ({@code steer { node, engine, map, feed, cluster, stats }}) from a HOCON file over the
 * shipped defaults ({@value #DEFAULTS_RESOURCE}) and validates all of it in one pass: a bad file gives one
 * {@link DeploymentException} listing every problem, each as {@code file:line: key: value and what is
 * allowed}, unknown keys with a did-you-mean hint. The full schema is in {@code docs/config.md}.
 *
 * <p>The CPUs of this machine decide which local entries and ingress CPUs are usable; they come from
 * {@link CpuSet#fromMachine()} unless given (tests).
 *
 * <p>Thread contract: immutable; any thread. Loading reads the file and checks TLS files, off the hot path.
 */
public final class DeploymentLoader {
    /** Class-path resource with the shipped defaults. */
    public static final String DEFAULTS_RESOURCE = "dev/steer/cluster/config/deployment-defaults.conf";

    static final Set<String> ROOT_KEYS = Set.of("steer");
    static final Set<String> STEER_KEYS = Set.of("node", "engine", "map", "feed", "cluster", "stats");
    static final Set<String> NODE_KEYS = Set.of("name", "roles");
    static final Set<String> ENGINE_KEYS = Set.of("program", "consumer-batch", "pass-batch", "budget", "idle",
        "pinning", "ingress-cpus", "pool");
    static final Set<String> POOL_KEYS = Set.of("frames", "frame-size", "headroom");
    static final Set<String> STATS_KEYS = Set.of("interval");
    /**
     * How settings given as command-line options are described ({@code ConfigFactory.parseMap(options,
     * COMMAND_LINE)}, as {@code steer run} does): messages name them so, and the loader tells them from a file's.
     */
    public static final String COMMAND_LINE = "command line";
    /** Shortest statistics interval. */
    public static final Duration MIN_STATS_INTERVAL = Duration.ofMillis(100);
    /** Longest statistics interval. */
    public static final Duration MAX_STATS_INTERVAL = Duration.ofHours(1);

    private final CpuSet cpus;
    private final Function<ClusterTls, TlsStores.Checked> stores;

    /** A loader over the CPUs this process may use ({@link CpuSet#fromMachine()}). */
    public DeploymentLoader() {
        this(CpuSet.fromMachine());
    }

    /** A loader over the given CPUs (the local entries and ingress CPUs must be usable among them). */
    public DeploymentLoader(CpuSet cpus) {
        this(cpus, TlsStores::open);
    }

    /**
     * A loader over the given CPUs that opens the TLS stores of a deployment with {@code stores} instead of
     * {@link TlsStores#open}: a caller that validates several layers of one file ({@code steer run --config} with
     * options over it) gives one that opens each set of stores once. The loader is as thread-safe as {@code stores}.
     */
    public DeploymentLoader(CpuSet cpus, Function<ClusterTls, TlsStores.Checked> stores) {
        if (cpus == null) {
            throw new IllegalArgumentException("cpus=null: must be a CpuSet");
        }
        if (stores == null) {
            throw new IllegalArgumentException("stores=null: must open TLS stores, e.g. TlsStores::open");
        }
        this.cpus = cpus;
        this.stores = stores;
    }

    /** The CPUs this loader validates against. */
    public CpuSet cpus() {
        return cpus;
    }

    /** The shipped defaults, the whole {@code steer} block. */
    public static Config defaults() {
        return ConfigFactory.parseResources(DeploymentLoader.class.getClassLoader(), DEFAULTS_RESOURCE,
            ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * Loads and validates a deployment file; the node is the file's {@code steer.node.name}.
     *
     * @throws DeploymentException with every problem of the file, or when it cannot be read or parsed
     */
    public Deployment load(Path file) {
        return load(file, null);
    }

    /**
     * Loads and validates a deployment file as the node {@code nodeOverride} (the CLI's {@code --node NAME}:
     * every node of a cluster runs the same file); null keeps the file's {@code steer.node.name}. Relative
     * TLS store and capture file paths are resolved against the directory of the file they are written in (an included
     * file's own), a TLS store that no file holds (an environment variable's) against this file's directory.
     *
     * @throws DeploymentException with every problem of the file, or when it cannot be read or parsed
     */
    public Deployment load(Path file, String nodeOverride) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new DeploymentException(file.toString(), List.of(file + ": no such readable file"));
        }
        final Config config;
        // An include of a missing file and a key given twice, which HOCON passes over in silence, are problems too.
        final ConfigCheck fileCheck = new ConfigCheck();
        try {
            config = HoconFile.parse(file, fileCheck);
        } catch (ConfigException ex) {
            // Typesafe writes "file: 12: problem"; write it as every other message, "file:12: problem".
            throw new DeploymentException(file.toString(), List.of(ex.getMessage().replaceFirst("^(.*?): (\\d+): ", "$1:$2: ")));
        }
        final Path parent = file.toAbsolutePath().getParent();
        final Deployment deployment;
        try {
            deployment = parse(config, nodeOverride, file.toString(), parent == null ? Path.of("") : parent);
        } catch (DeploymentException ex) {
            final List<String> problems = new ArrayList<>(fileCheck.errors());
            problems.addAll(ex.problems());
            throw new DeploymentException(file.toString(), problems);
        }
        if (!fileCheck.ok()) {
            throw new DeploymentException(file.toString(), fileCheck.errors());
        }
        return deployment;
    }

    /**
     * Validates a deployment given as a Config with a {@code steer} block (for instance the CLI's options
     * over a file), over the shipped defaults, as the node its {@code steer.node.name} names.
     *
     * <p>The Config is already parsed, so the text-level checks of {@link HoconFile} (an include of a missing file, a
     * key given twice, nesting too deep) are the caller's; the text of the files its origins name is read only where a
     * value holds a substitution, to name the {@code ${?VAR}} that gave it ({@link Substitutions#find}). Read a file
     * with {@link #load(Path)}, or with {@link HoconFile#parse} before laying other settings over it, as
     * {@code steer run --config} does. Relative TLS store and capture file paths written in a file start at that
     * file's directory; those no file holds, at the working directory.
     *
     * @throws DeploymentException with every problem
     */
    public Deployment parse(Config config) {
        return parse(config, null, config.origin().description(), Path.of(""));
    }

    /**
     * Validates a deployment given as a Config.
     *
     * @param config       the user's settings, with a {@code steer} block
     * @param nodeOverride the node this process is, or null for {@code steer.node.name}
     * @param source       what to call the settings in messages (a file name)
     * @param baseDir      directory a relative TLS store path that no file holds (an environment variable's, the
     *                     caller's own layer) is resolved against; one written in a file starts at that file's
     *                     directory, as a relative capture file does
     * @throws DeploymentException with every problem
     */
    public Deployment parse(Config config, String nodeOverride, String source, Path baseDir) {
        return parse(config, nodeOverride, source, baseDir, Substitutions.NONE);
    }

    /**
     * Validates a deployment given as a Config, as {@link #parse(Config, String, String, Path)}, for a caller that
     * resolved its settings itself: {@code substitutions}, found in them as written ({@link Substitutions#find}),
     * name a value an environment variable gave by the place of its {@code ${?VAR}}, as this loader does for the
     * substitutions it resolves.
     *
     * @throws DeploymentException with every problem
     */
    public Deployment parse(Config config, String nodeOverride, String source, Path baseDir,
                            Substitutions substitutions) {
        Config given = config;
        if (nodeOverride != null) {
            given = ConfigFactory.parseMap(Map.of("steer.node.name", nodeOverride), COMMAND_LINE + " --node").withFallback(given);
        }
        final Config merged;
        try {
            merged = given.withFallback(defaults()).resolve();
        } catch (ConfigException ex) {
            throw new DeploymentException(source, List.of(ex.getMessage()));
        }
        // Found in the layers as written: merged with the defaults, a key's writes lose their own places.
        final Substitutions found = Substitutions.find(given, merged);
        final ConfigCheck check = new ConfigCheck(found.places().isEmpty() ? substitutions : found);
        check.unknownKeys(given.root(), "", ROOT_KEYS);
        final ConfigValue steerValue = merged.root().get("steer");
        if (steerValue.valueType() != ConfigValueType.OBJECT) {
            check.error(ConfigCheck.where(steerValue) + "steer: must be a block { node, engine, map, feed, cluster, stats }, is "
                + ConfigCheck.render(steerValue));
            throw new DeploymentException(source, check.errors());
        }
        final Config steer = merged;
        for (String block : STEER_KEYS) {
            if (steer.hasPath("steer." + block) && steer.getValue("steer." + block).valueType() != ConfigValueType.OBJECT) {
                check.error(steer, "steer." + block, "must be a block { ... }, is " + ConfigCheck.render(steer.getValue("steer." + block)));
            }
        }
        if (!check.ok()) {
            throw new DeploymentException(source, check.errors());
        }
        check.unknownKeys((ConfigObject) steerValue, "steer", STEER_KEYS);

        final Deployment.Node node;
        final Deployment.EngineSettings engine;
        final Deployment.ClusterSettings cluster;
        final Deployment.MapSettings map;
        final FeedConfig.Plan feed;
        final Deployment.StatsSettings stats;
        try {
            node = node(check, steer);
            engine = engine(check, steer);
            cluster = ClusterReader.read(check, steer, node.name(), baseDir, source, stores);
            map = new MapReader(cpus, node.name(), cluster, source).read(check, steer);
            feed = feed(check, steer);
            stats = stats(check, steer);
        } catch (ConfigException unforeseen) {
            // A value no check above foresaw (an explicit null where a list belongs, say): still reported with the
            // problems found so far, naming file, line and key, never as a stack trace.
            final List<String> problems = new ArrayList<>(check.errors());
            problems.add(unforeseen.getMessage().replaceFirst("^(.*?): (\\d+): ", "$1:$2: "));
            throw new DeploymentException(source, problems);
        }
        batchBytes(check, steer, cluster, engine);
        if (!check.ok()) {
            throw new DeploymentException(source, check.errors());
        }
        return new Deployment(source, node, engine, map, feed, cluster, stats);
    }

    /**
     * A cross-node message of frame-batch frames of the engine's frame size must fit in one Artery frame: the
     * node's receiver pool has the engine's frame size ({@link PekkoClusterConfig#settings}).
     */
    private static void batchBytes(ConfigCheck check, Config steer, Deployment.ClusterSettings cluster,
                                   Deployment.EngineSettings engine) {
        final long bytes = (long) cluster.frameBatch() * (engine.frameSize() + Integer.BYTES);
        if (cluster.enabled() && !dev.steer.cluster.ClusterSettings.batchFits(cluster.frameBatch(), engine.frameSize())) {
            check.error(steer, "steer.cluster.frame-batch", cluster.frameBatch() + " frames of " + engine.frameSize()
                + " bytes (steer.engine.pool.frame-size) make " + bytes + " bytes: a cross-node message must be at most "
                + dev.steer.cluster.ClusterSettings.MAX_BATCH_BYTES + " bytes (frame-batch x (frame-size + 4)); "
                + "use at most " + dev.steer.cluster.ClusterSettings.maxBatchFrames(engine.frameSize())
                + " frames");
        }
    }

    private static Deployment.Node node(ConfigCheck check, Config steer) {
        check.unknownKeys(steer.getObject("steer.node"), "steer.node", NODE_KEYS);
        String name = check.string(steer, "steer.node.name", Deployment.Node.DEFAULT_NAME);
        if (!name.matches(Deployment.Node.NAME_PATTERN)) {
            check.error(steer, "steer.node.name", "'" + name + "' must be lower-case letters, digits and '-' ("
                + Deployment.Node.NAME_PATTERN + ")");
        }
        List<String> roles = Deployment.Node.DEFAULT_ROLES;
        try {
            roles = List.copyOf(steer.getStringList("steer.node.roles"));
        } catch (ConfigException.Null ex) {
            check.error(ConfigCheck.where(ex.origin()) + "steer.node.roles: must be a list of strings such as "
                + "[\"steer\"], is null");
        } catch (ConfigException ex) {
            check.error(steer, "steer.node.roles", "must be a list of strings such as [\"steer\"], is "
                + ConfigCheck.render(steer.getValue("steer.node.roles")));
        }
        for (String role : roles) {
            if (role.isBlank() || role.startsWith(dev.steer.cluster.ClusterSettings.RESERVED_ROLE_PREFIX)) {
                check.error(steer, "steer.node.roles", "'" + role + "' is not a role: each role must be a non-blank string "
                    + "not starting with '" + dev.steer.cluster.ClusterSettings.RESERVED_ROLE_PREFIX
                    + "' (Pekko keeps those for data centers)");
            }
        }
        return new Deployment.Node(name, roles);
    }

    private Deployment.EngineSettings engine(ConfigCheck check, Config steer) {
        check.unknownKeys(steer.getObject("steer.engine"), "steer.engine", ENGINE_KEYS);
        final String program = check.oneOf(steer, "steer.engine.program", "l4-hash", Programs.names());
        final int consumerBatch = check.intIn(steer, "steer.engine.consumer-batch", 8, 1, SteerEngine.Builder.MAX_BATCH);
        final int passBatch = check.intIn(steer, "steer.engine.pass-batch", 8, 1, SteerEngine.Builder.MAX_BATCH);
        final int budget = check.intIn(steer, "steer.engine.budget", 64, 1, SteerEngine.Builder.MAX_BUDGET);
        final List<String> idleLabels = java.util.Arrays.stream(IdleMode.values()).map(IdleMode::label).toList();
        final IdleMode idle = IdleMode.parse(check.oneOf(steer, "steer.engine.idle", IdleMode.PARK.label(), idleLabels));
        final boolean pinning = check.bool(steer, "steer.engine.pinning", true);
        final List<Integer> ingressCpus = ingressCpus(check, steer);
        boolean poolOk = true;
        if (steer.getValue("steer.engine.pool").valueType() != ConfigValueType.OBJECT) {
            check.error(steer, "steer.engine.pool", "must be a block { frames, frame-size, headroom }, is "
                + ConfigCheck.render(steer.getValue("steer.engine.pool")));
            poolOk = false;
        } else {
            check.unknownKeys(steer.getObject("steer.engine.pool"), "steer.engine.pool", POOL_KEYS);
        }
        final int frames = poolOk ? check.intIn(steer, "steer.engine.pool.frames", SteerEngine.Builder.DEFAULT_POOL_FRAMES,
            1, FramePool.MAX_FRAMES) : SteerEngine.Builder.DEFAULT_POOL_FRAMES;
        final int frameSize = poolOk ? frameSize(check, steer) : FramePool.Context.DEFAULT_FRAME_SIZE;
        final int headroom = poolOk ? check.intIn(steer, "steer.engine.pool.headroom", FramePool.Context.DEFAULT_HEADROOM,
            Integer.MIN_VALUE, Integer.MAX_VALUE) : FramePool.Context.DEFAULT_HEADROOM;
        if (!FramePool.Context.validHeadroom(headroom, frameSize)) {
            check.error(steer, "steer.engine.pool.headroom", headroom + " is out of range: must be "
                + Frame.MIN_REDIRECT_HEADROOM + ".." + (frameSize - 64) + " (frame-size - 64)");
        }
        if (!FramePool.Context.fitsOnePool(frames, frameSize)) {
            check.error(steer, "steer.engine.pool.frames", frames + " frames of " + frameSize
                + " bytes exceed one pool: frames x frame-size must not exceed " + FramePool.Context.MAX_POOL_BYTES
                + " bytes");
        }
        return new Deployment.EngineSettings(program, consumerBatch, passBatch, budget, idle, pinning, ingressCpus,
            frames, frameSize, headroom);
    }

    /**
     * {@code steer.engine.pool.frame-size}: an integer that is a multiple of 64 from 128 to 65536, the builder's rule
     * ({@link FramePool.Context#validFrameSize}; the messages take the numbers from its constants).
     * An integer that breaks it is told every rule it breaks and the whole rule in one line (100 used to be told only
     * the range, and a value that fixed that alone was refused next time); anything else is left to {@code intIn}, whose
     * line names the multiple of 64 after the range too ({@code 2k} was told only the range).
     * Out of range gives the default, so that the headroom is checked against a frame size the pool can have.
     */
    private static int frameSize(ConfigCheck check, Config steer) {
        final String path = "steer.engine.pool.frame-size";
        final int min = FramePool.Context.MIN_FRAME_SIZE;
        final int max = FramePool.Context.MAX_FRAME_SIZE;
        final String multipleOf = "a multiple of " + FramePool.Context.FRAME_SIZE_MULTIPLE;
        if (steer.hasPath(path)) {
            try {
                final int value = steer.getInt(path);
                final boolean inRange = value >= min && value <= max;
                final boolean multiple = value % FramePool.Context.FRAME_SIZE_MULTIPLE == 0;
                if (ConfigCheck.whole(steer.getNumber(path)) && !FramePool.Context.validFrameSize(value)) {
                    final String broken = inRange ? "is not " + multipleOf
                        : multiple ? "is out of range" : "is out of range and not " + multipleOf;
                    check.error(steer, path, value + " " + broken + ": must be " + multipleOf + " from " + min + " to "
                        + max);
                    return inRange ? value : FramePool.Context.DEFAULT_FRAME_SIZE;
                }
            } catch (ConfigException ex) {
                // No int (a word, a size with a unit, a number too big): intIn says so.
            }
        }
        return check.intIn(steer, path, FramePool.Context.DEFAULT_FRAME_SIZE, min, max, multipleOf);
    }

    private List<Integer> ingressCpus(ConfigCheck check, Config steer) {
        final String path = "steer.engine.ingress-cpus";
        if (!steer.hasPath(path)) {
            return List.of();
        }
        final ConfigValue value = steer.getValue(path);
        final List<Integer> out = new ArrayList<>();
        if (value.valueType() == ConfigValueType.LIST) {
            final String notAList = ConfigCheck.render(value) + " is not a CPU list: must be a list such as \"0-3,6\" or [0, 1]";
            try {
                // getIntList cuts a fraction off ([0.5, 1] was CPUs 0 and 1, and so was ["0.5", 1], which HOCON reads
                // as numbers, as getNumberList does): a CPU number is a whole number.
                if (!steer.getNumberList(path).stream().allMatch(ConfigCheck::whole)) {
                    check.error(steer, path, notAList);
                    return List.of();
                }
                out.addAll(steer.getIntList(path));
            } catch (RuntimeException ex) {
                check.error(steer, path, notAList);
                return List.of();
            }
        } else if (value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER) {
            // The CPU-list reader of --cpus as well (engine CpuList): one set of rules, and a CPU listed twice is an
            // error rather than silently merged.
            try {
                for (int cpu : CpuList.parse(String.valueOf(value.unwrapped()))) {
                    out.add(cpu);
                }
            } catch (IllegalArgumentException ex) {
                check.error(steer, path, ConfigCheck.render(value) + ": " + ex.getMessage());
                return List.of();
            }
        } else {
            check.error(steer, path, ConfigCheck.render(value) + " is not a CPU list: must be a list such as \"0-3,6\" or [0, 1]");
            return List.of();
        }
        try {
            CpuList.check(out.stream().mapToInt(Integer::intValue).toArray());
        } catch (IllegalArgumentException ex) {
            check.error(steer, path, ConfigCheck.render(value) + ": " + ex.getMessage());
            return List.of();
        }
        if (out.isEmpty()) {
            check.error(steer, path, ConfigCheck.render(value) + " names no CPU: must name at least one usable CPU ("
                + ConfigKeys.cpuList(cpus.usableCpus()) + ")");
        }
        for (int cpu : out) {
            if (!cpus.isUsable(cpu)) {
                check.error(steer, path, "CPU " + cpu + " is not usable on this machine: usable CPUs are "
                    + ConfigKeys.cpuList(cpus.usableCpus()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The feed block, validated by {@link FeedConfig}, with a relative {@code pcap.file} written in a file resolved
     * against that file's directory (as the TLS stores are); one given on the command line stays relative to the
     * working directory. A capture file that is not there is reported with where it was looked for.
     */
    private static FeedConfig.Plan feed(ConfigCheck check, Config steer) {
        final String key = "steer.feed.pcap.file";
        final ConfigValue value = steer.hasPath(key) ? steer.getValue(key) : null;
        Config feed = steer;
        Path lookedAt = null;
        // Which rule made the path looked at: none for an absolute path, wherever it was written.
        String rule = "";
        if (value != null && value.valueType() == ConfigValueType.STRING) {
            try {
                final Path written = Path.of((String) value.unwrapped());
                final Path workingDir = Path.of("").toAbsolutePath();
                lookedAt = RelativePathBase.of(value, workingDir).resolve(written).normalize();
                rule = RelativePathBase.rule(value, written, workingDir);
                if (!written.isAbsolute() && RelativePathBase.writtenIn(value) != null) {
                    feed = steer.withValue(key, ConfigValueFactory.fromAnyRef(lookedAt.toString()).withOrigin(value.origin()));
                }
            } catch (InvalidPathException ex) {
                lookedAt = null; // no path (a NUL in it): FeedConfig reports it, naming the key
            }
        }
        final ConfigCheck own = new ConfigCheck(check.substitutions());
        // FeedConfig checks the path; it is looked at again only when FeedConfig refused it, to say what it is.
        final FeedConfig.Plan plan = FeedConfig.plan(feed, "steer.feed", own);
        String what = null;
        boolean looked = false;
        for (String problem : own.errors()) {
            final boolean atKey = problem.contains(key + ":") || problem.contains(key + " (from $");
            if (atKey && !looked) {
                what = notACapture(lookedAt);
                looked = true;
            }
            // FeedConfig names the path it tried, not what was written nor the rule that made it.
            check.error(what != null && atKey ? check.at(steer, key) + "'"
                + value.unwrapped() + "' " + what + " (looked at " + lookedAt + "): must be a capture file" + rule
                : problem);
        }
        return plan;
    }

    /**
     * What {@code lookedAt} is when it is no regular file, as FeedConfig says it, null when it is one (or there is no
     * path): "not a readable file" for a directory sent users looking for a typo or a permission.
     */
    private static String notACapture(Path lookedAt) {
        return lookedAt == null || Files.isRegularFile(lookedAt) ? null
            : Files.isDirectory(lookedAt) ? "is a directory"
            : Files.exists(lookedAt) ? "is not a regular file (a pipe or a device)" : "is not a readable file";
    }

    private static Deployment.StatsSettings stats(ConfigCheck check, Config steer) {
        check.unknownKeys(steer.getObject("steer.stats"), "steer.stats", STATS_KEYS);
        final long nanos = check.nanosIn(steer, "steer.stats.interval", Deployment.StatsSettings.DEFAULT_INTERVAL.toNanos(),
            MIN_STATS_INTERVAL.toNanos(), MAX_STATS_INTERVAL.toNanos());
        return new Deployment.StatsSettings(Duration.ofNanos(nanos));
    }
}
