package lms;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one or more real OpenSearch nodes (real netty4 HTTP and transport) inside this JVM.
 *
 * <p>Configured through the environment (scripts/services/search-server sets it):
 * <ul>
 *   <li>SEARCH_HOME (required): state directory; path.home, data, control files live below it</li>
 *   <li>SEARCH_PORT (9200): HTTP port of node 1; node i listens on SEARCH_PORT + i - 1</li>
 *   <li>SEARCH_TRANSPORT_PORT (SEARCH_PORT + 100): transport port of node 1, same numbering</li>
 *   <li>SEARCH_NODES (1): 1 = single-node discovery, more = one cluster of that many nodes</li>
 *   <li>SEARCH_CLUSTER_NAME (lms-search-PORT)</li>
 *   <li>SEARCH_DATA_DIR (SEARCH_HOME/data/Nnode): node i keeps its data in node-i below it</li>
 *   <li>SEARCH_WRITE_QUEUE_SIZE, SEARCH_WRITE_THREADS: thread_pool.write.queue_size / .size</li>
 *   <li>SEARCH_SETTINGS: more node settings, "key=value" pairs separated by ';' or newlines</li>
 *   <li>SEARCH_SKIP_PLUGINS: optional plugins to leave out, by part of their class name ("painless")</li>
 *   <li>SEARCH_PID_FILE: where to write this JVM's pid (deleted again on a clean stop)</li>
 * </ul>
 *
 * <p>Control channel: a file SEARCH_HOME/control/NAME.cmd holding one line ("stop-node 2",
 * "start-node 2" or "status") is executed by the JVM, which answers in NAME.done (first word
 * "ok" or "error") and deletes the .cmd file. SIGTERM closes all nodes and exits.
 */
public final class SearchServer {

    /** Plugins loaded from the classpath; the first is required, the others are loaded when present. */
    private static final String REQUIRED_PLUGIN = "org.opensearch.transport.Netty4Plugin";
    private static final String[] OPTIONAL_PLUGINS = {
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
        "org.opensearch.index.mapper.MapperExtrasPlugin",
        "org.opensearch.index.reindex.ReindexPlugin",
        "org.opensearch.painless.PainlessPlugin",
        "org.opensearch.script.mustache.MustachePlugin",
        "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin",
    };

    private static final Logger log = LogManager.getLogger(SearchServer.class);

    private final Path home;
    private final Path dataDir;
    private final Path controlDir;
    private final int nodeCount;
    private final int httpPort;
    private final int transportPort;
    private final String clusterName;
    private final Settings extraSettings;
    private final List<Class<? extends Plugin>> plugins;
    /** nodes[i] is node i+1, or null while it is stopped. Guarded by this. */
    private final Node[] nodes;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    private SearchServer(Map<String, String> env) throws IOException {
        String homeValue = env.get("SEARCH_HOME");
        if (homeValue == null || homeValue.isBlank()) {
            throw new IllegalArgumentException("SEARCH_HOME must be set");
        }
        this.home = Paths.get(homeValue).toAbsolutePath();
        this.nodeCount = intEnv(env, "SEARCH_NODES", 1);
        if (nodeCount < 1 || nodeCount > 9) {
            throw new IllegalArgumentException("SEARCH_NODES must be between 1 and 9, got " + nodeCount);
        }
        this.httpPort = intEnv(env, "SEARCH_PORT", 9200);
        this.transportPort = intEnv(env, "SEARCH_TRANSPORT_PORT", httpPort + 100);
        this.clusterName = env.getOrDefault("SEARCH_CLUSTER_NAME", "lms-search-" + httpPort);
        String data = env.get("SEARCH_DATA_DIR");
        this.dataDir = data == null || data.isBlank() ? home.resolve("data").resolve(nodeCount + "node") : Paths.get(data);
        this.controlDir = home.resolve("control");
        this.extraSettings = extraSettings(env);
        this.plugins = loadPlugins();
        this.nodes = new Node[nodeCount];
        for (Path dir : List.of(home.resolve("config"), home.resolve("logs"), home.resolve("tmp"), dataDir, controlDir)) {
            Files.createDirectories(dir);
        }
    }

    public static void main(String[] args) throws Exception {
        final SearchServer server;
        try {
            server = new SearchServer(System.getenv());
        } catch (IllegalArgumentException e) {
            log.error("bad configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        server.run();
    }

    private void run() throws Exception {
        String pidFile = System.getenv("SEARCH_PID_FILE");
        if (pidFile != null && !pidFile.isBlank()) {
            writeAtomically(Paths.get(pidFile), ProcessHandle.current().pid() + "\n");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(pidFile), "search-server-shutdown"));
        // Leftover commands from an earlier run are stale.
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(controlDir)) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }

        log.info(
            "starting {} node(s) of cluster [{}]: http {}..{}, transport {}..{}, data {}",
            nodeCount, clusterName, httpPort, httpPort + nodeCount - 1, transportPort, transportPort + nodeCount - 1, dataDir
        );
        long started = System.nanoTime();
        // Nodes are constructed one after the other (plugins such as painless fill static
        // tables while a node is built, which is not safe to do concurrently) and then started
        // all at once: a node of a multi-node cluster waits in start() until a cluster manager
        // is elected, which needs a quorum of the others.
        Node[] created = new Node[nodeCount];
        for (int i = 1; i <= nodeCount; i++) {
            try {
                created[i - 1] = createNode(i);
            } catch (Throwable e) {
                log.error("node-" + i + " could not be created", e);
                System.exit(1);
            }
        }
        List<Thread> starters = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            final int index = i;
            final Node node = created[i - 1];
            Thread t = new Thread(() -> {
                try {
                    startNode(index, node);
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    log.error("node-" + index + " failed to start", e);
                }
            }, "search-server-start-node-" + i);
            starters.add(t);
            t.start();
        }
        for (Thread t : starters) {
            t.join();
        }
        if (!failures.isEmpty()) {
            log.error("giving up: {} node(s) failed to start", failures.size());
            System.exit(1);
        }
        log.info("all {} node(s) started in {} ms", nodeCount, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        // The node threads are daemons: this loop keeps the JVM alive and serves the control channel.
        while (!shuttingDown.get()) {
            try {
                pollControl();
            } catch (Exception e) {
                log.warn("control channel: {}", e.toString());
            }
            Thread.sleep(200);
        }
    }

    private Settings nodeSettings(int index) {
        Settings.Builder b = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", dataDir.resolve("node-" + index).toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", clusterName)
            .put("node.name", "node-" + index)
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort + index - 1)
            .put("transport.port", transportPort + index - 1)
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A nearly full disk must never turn indices read-only or stop shard allocation.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.auto_create_index", true);
        if (nodeCount == 1) {
            b.put("discovery.type", "single-node");
        } else {
            List<String> seeds = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= nodeCount; i++) {
                seeds.add("127.0.0.1:" + (transportPort + i - 1));
                names.add("node-" + i);
            }
            b.putList("discovery.seed_hosts", seeds);
            b.putList("cluster.initial_cluster_manager_nodes", names);
        }
        return b.put(extraSettings).build();
    }

    private Node createNode(int index) {
        Node node = new MockNode(nodeSettings(index), plugins, true);
        synchronized (this) {
            nodes[index - 1] = node;
        }
        return node;
    }

    private void startNode(int index, Node node) throws Exception {
        try {
            node.start();
        } catch (Exception | Error e) {
            closeNode(index, node);
            throw e;
        }
        log.info("node-{} answers on http://127.0.0.1:{}", index, httpPort + index - 1);
    }

    private void closeNode(int index, Node node) {
        synchronized (this) {
            if (nodes[index - 1] == node) {
                nodes[index - 1] = null;
            }
        }
        try {
            node.close();
            if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                log.warn("node-{}: thread pool did not terminate within 30s", index);
            }
        } catch (Exception e) {
            log.warn("node-" + index + ": error while closing", e);
        }
    }

    private void pollControl() throws IOException {
        List<Path> commands = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(controlDir, "*.cmd")) {
            ds.forEach(commands::add);
        }
        commands.sort(null);
        for (Path cmdFile : commands) {
            String line = new String(Files.readAllBytes(cmdFile), StandardCharsets.UTF_8).trim();
            String answer;
            try {
                answer = "ok " + execute(line);
            } catch (Exception e) {
                answer = "error " + e.getMessage();
            }
            log.info("control [{}] -> {}", line, answer);
            String name = cmdFile.getFileName().toString();
            writeAtomically(controlDir.resolve(name.substring(0, name.length() - 4) + ".done"), answer + "\n");
            Files.deleteIfExists(cmdFile);
        }
    }

    private String execute(String line) throws Exception {
        String[] words = line.split("\\s+");
        switch (words[0]) {
            case "status":
                return status();
            case "stop-node":
            case "start-node": {
                if (words.length != 2) {
                    throw new IllegalArgumentException("usage: " + words[0] + " N");
                }
                int index = Integer.parseInt(words[1]);
                if (index < 1 || index > nodeCount) {
                    throw new IllegalArgumentException("no node " + index + " (nodes 1.." + nodeCount + ")");
                }
                Node node;
                synchronized (this) {
                    node = nodes[index - 1];
                }
                if (words[0].equals("stop-node")) {
                    if (node == null) {
                        return "node-" + index + " was already stopped";
                    }
                    closeNode(index, node);
                    return "node-" + index + " stopped";
                }
                if (node != null) {
                    return "node-" + index + " was already running";
                }
                startNode(index, createNode(index));
                return "node-" + index + " started";
            }
            default:
                throw new IllegalArgumentException("unknown command [" + line + "]");
        }
    }

    private synchronized String status() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= nodeCount; i++) {
            sb.append(i > 1 ? " " : "")
                .append("node-")
                .append(i)
                .append('=')
                .append(nodes[i - 1] == null ? "stopped" : "running")
                .append(':')
                .append(httpPort + i - 1);
        }
        return sb.toString();
    }

    private void shutdown(String pidFile) {
        shuttingDown.set(true);
        log.info("stopping");
        List<Thread> closers = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            final int index = i;
            final Node node;
            synchronized (this) {
                node = nodes[i - 1];
            }
            if (node == null) {
                continue;
            }
            Thread t = new Thread(() -> closeNode(index, node), "search-server-stop-node-" + i);
            closers.add(t);
            t.start();
        }
        for (Thread t : closers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(40));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("stopped");
        if (pidFile != null && !pidFile.isBlank()) {
            try {
                Path p = Paths.get(pidFile);
                if (Files.exists(p) && new String(Files.readAllBytes(p), StandardCharsets.UTF_8).trim()
                    .equals(Long.toString(ProcessHandle.current().pid()))) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                // the script copes with a stale pid file
            }
        }
        LogManager.shutdown();
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Plugin>> loadPlugins() {
        List<Class<? extends Plugin>> result = new ArrayList<>();
        try {
            result.add((Class<? extends Plugin>) Class.forName(REQUIRED_PLUGIN));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("the netty4 transport plugin is not on the classpath: " + REQUIRED_PLUGIN);
        }
        String skip = System.getenv("SEARCH_SKIP_PLUGINS");
        List<String> skipped = new ArrayList<>();
        if (skip != null) {
            for (String word : skip.toLowerCase(Locale.ROOT).split("[,\\s]+")) {
                if (!word.isEmpty()) {
                    skipped.add(word);
                }
            }
        }
        for (String name : OPTIONAL_PLUGINS) {
            if (skipped.stream().anyMatch(name.toLowerCase(Locale.ROOT)::contains)) {
                log.info("plugin {} skipped (SEARCH_SKIP_PLUGINS)", name);
                continue;
            }
            try {
                result.add((Class<? extends Plugin>) Class.forName(name));
            } catch (ClassNotFoundException e) {
                log.info("plugin {} is not on the classpath, skipped", name);
            }
        }
        return result;
    }

    private static Settings extraSettings(Map<String, String> env) {
        Settings.Builder b = Settings.builder();
        String queue = env.get("SEARCH_WRITE_QUEUE_SIZE");
        if (queue != null && !queue.isBlank()) {
            b.put("thread_pool.write.queue_size", Integer.parseInt(queue.trim()));
        }
        String threads = env.get("SEARCH_WRITE_THREADS");
        if (threads != null && !threads.isBlank()) {
            b.put("thread_pool.write.size", Integer.parseInt(threads.trim()));
        }
        String more = env.get("SEARCH_SETTINGS");
        if (more != null) {
            for (String pair : more.split("[;\n]")) {
                pair = pair.trim();
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("SEARCH_SETTINGS: expected key=value, got [" + pair + "]");
                }
                b.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return b.build();
    }

    private static int intEnv(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got [" + v + "]");
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
