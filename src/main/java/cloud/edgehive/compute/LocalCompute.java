package cloud.edgehive.compute;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cloud.edgehive.store.Node;

/**
 * Nodes as processes on this machine (local mode). An "instance" is a record file in
 * {@code <local.data-dir>/nodes/} (node, port, pid, process start time, whether it should run) plus
 * the process it names, started with the node's port and id. Like an EC2 instance it keeps its id
 * across stop and start; the service can restart and re-adopt the processes it finds still running.
 * The process's identity is its pid and start time, so a recycled pid is never mistaken for a node.
 * Restart starts a new process on the same port; suspend stops the process (its files stay); resume
 * starts it again.
 */
public class LocalCompute implements ComputeProvider, cloud.edgehive.ops.NeedsFiles {

    public static final String ID_PREFIX = "local-";

    private static final Logger LOG = LoggerFactory.getLogger(LocalCompute.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Path dir;
    private final String command;
    private final IntUnaryOperator portOfSlot;

    /**
     * @param command the node's command run by {@code /bin/sh -c}, with {@code EDGE_HIVE_PORT},
     *                {@code EDGE_HIVE_NODE_ID} and {@code EDGE_HIVE_NODE_NAME} in its environment;
     *                null or empty runs the built-in demo node ({@code cloud.edgehive.local.DemoNode})
     */
    public LocalCompute(Path dir, String command, IntUnaryOperator portOfSlot) {
        this.dir = dir;
        this.command = command == null || command.isBlank() ? null : command;
        this.portOfSlot = portOfSlot;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<Path> writable() {
        return List.of(dir);
    }

    /** Starts the node's process; an already running one is kept. */
    @Override
    public String launch(Node node) {
        if (node.slot() == null) {
            throw new ComputeFailed("Node " + node.nodeId() + " has no slot, so no port to run on");
        }
        Optional<Record> existing = read(node.nodeId());
        if (existing.isPresent() && alive(existing.get()).isPresent()) {
            return existing.get().instanceId();
        }
        Record record = new Record(node.nodeId(), node.hostLabel(), portOfSlot.applyAsInt(node.slot()), 0, 0, true);
        return spawn(record).instanceId();
    }

    @Override
    public InstanceStatus describe(Node node) {
        Optional<Record> record = read(node.nodeId());
        if (record.isEmpty()) {
            return InstanceStatus.gone(node.instanceId());
        }
        Record r = record.get();
        if (alive(r).isEmpty()) {
            return new InstanceStatus(r.instanceId(), InstanceStatus.Phase.STOPPED, null, 0);
        }
        InstanceStatus.Phase phase = listening(r.port()) ? InstanceStatus.Phase.RUNNING : InstanceStatus.Phase.PENDING;
        return new InstanceStatus(r.instanceId(), phase, "127.0.0.1", r.port());
    }

    @Override
    public void terminate(Node node) {
        read(node.nodeId()).ifPresent(r -> {
            kill(r);
            try {
                Files.deleteIfExists(file(r.nodeId()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LOG.info("Node {} process stopped and removed; port {} is free", r.nodeId(), r.port());
        });
    }

    @Override
    public void terminateResource(ManagedResource orphan) {
        String instanceId = orphan.id();
        records().stream().filter(r -> r.instanceId().equals(instanceId)).forEach(r -> {
            kill(r);
            try {
                Files.deleteIfExists(file(r.nodeId()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LOG.info("Orphaned process {} of node {} stopped; port {} is free", instanceId, r.nodeId(), r.port());
        });
    }

    @Override
    public void restart(Node node) {
        Record r = required(node);
        kill(r);
        spawn(r.withRunning(true));
    }

    @Override
    public boolean keepsDisk() {
        return true;
    }

    @Override
    public void suspend(Node node) {
        Record r = required(node);
        kill(r);
        write(r.withRunning(false));
    }

    @Override
    public void resume(Node node) {
        Record r = required(node);
        if (alive(r).isEmpty()) {
            spawn(r.withRunning(true));
        }
    }

    @Override
    public List<ManagedResource> managed() {
        return records().stream().map(r -> new ManagedResource(r.instanceId(), r.nodeId(), "local",
                alive(r).isPresent() ? InstanceStatus.Phase.RUNNING : InstanceStatus.Phase.STOPPED)).toList();
    }

    /**
     * After the service restarts: processes still running are adopted as they are; a node that should
     * run but whose process died with the service (Ctrl-C reaches the whole process group) is started
     * again; a process whose node is gone, terminated or failed is stopped and its record removed.
     */
    public void recover(Function<String, Optional<Node>> nodes) {
        for (Record r : records()) {
            Optional<Node> node = nodes.apply(r.nodeId());
            boolean wanted = node.isPresent() && !node.get().state().isFinal();
            if (!wanted) {
                kill(r);
                try {
                    Files.deleteIfExists(file(r.nodeId()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                LOG.info("Cleaned up process of node {} ({})", r.nodeId(), node.map(n -> n.state().name()).orElse("unknown"));
            } else if (alive(r).isPresent()) {
                LOG.info("Re-adopted node {}: process {} on port {}", r.nodeId(), r.pid(), r.port());
            } else if (r.running()) {
                spawn(r);
                LOG.info("Restarted node {} on port {}", r.nodeId(), r.port());
            }
        }
    }

    /** The file a node's process writes its output to. */
    public Path logOf(String nodeId) {
        return dir.resolve(safe(nodeId) + ".log");
    }

    private Record spawn(Record r) {
        List<String> cmd = command != null ? List.of("/bin/sh", "-c", "exec " + command) : demoNode(r);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(r.nodeId()).toFile()));
        Map<String, String> env = builder.environment();
        env.put("EDGE_HIVE_PORT", String.valueOf(r.port()));
        env.put("EDGE_HIVE_NODE_ID", r.nodeId());
        env.put("EDGE_HIVE_NODE_NAME", r.hostLabel());
        try {
            Process process = builder.start();
            Record started = r.withProcess(process.pid(), startMillis(process.toHandle()), true);
            write(started);
            LOG.info("Node {} process {} started on port {}", r.nodeId(), process.pid(), r.port());
            return started;
        } catch (IOException e) {
            throw new ComputeFailed("Cannot start node process " + cmd + ": " + e.getMessage());
        }
    }

    private static List<String> demoNode(Record r) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath;
        try {
            classpath = Path.of(cloud.edgehive.local.DemoNode.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return List.of(java, "-Xmx24m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                cloud.edgehive.local.DemoNode.class.getName(), String.valueOf(r.port()), r.nodeId());
    }

    private void kill(Record r) {
        alive(r).ifPresent(process -> {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                process.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException slow) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.onExit().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The record's process if it is still the one that was started (same pid and start time). */
    private static Optional<ProcessHandle> alive(Record r) {
        if (r.pid() <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive)
                .filter(p -> Math.abs(startMillis(p) - r.startedAt()) <= 1000);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private Record required(Node node) {
        return read(node.nodeId()).orElseThrow(() -> new ComputeFailed("Node " + node.nodeId() + " has no local process record"));
    }

    private List<Record> records() {
        List<Record> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".node")).forEach(f -> read(f).ifPresent(all::add));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private Optional<Record> read(String nodeId) {
        return read(file(nodeId));
    }

    private static Optional<Record> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (java.nio.file.NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new Record(p.getProperty("nodeId"), p.getProperty("hostLabel"),
                Integer.parseInt(p.getProperty("port")), Long.parseLong(p.getProperty("pid", "0")),
                Long.parseLong(p.getProperty("startedAt", "0")), Boolean.parseBoolean(p.getProperty("running", "true"))));
    }

    private void write(Record r) {
        Properties p = new Properties();
        p.setProperty("nodeId", r.nodeId());
        p.setProperty("hostLabel", r.hostLabel());
        p.setProperty("port", String.valueOf(r.port()));
        p.setProperty("pid", String.valueOf(r.pid()));
        p.setProperty("startedAt", String.valueOf(r.startedAt()));
        p.setProperty("running", String.valueOf(r.running()));
        try {
            Path temp = Files.createTempFile(dir, safe(r.nodeId()), ".tmp");
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(writer, "Edge Hive local node process");
            }
            Files.move(temp, file(r.nodeId()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String nodeId) {
        return dir.resolve(safe(nodeId) + ".node");
    }

    private static String safe(String nodeId) {
        return nodeId.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** One local instance: which node, which port, which process, and whether it should be running. */
    record Record(String nodeId, String hostLabel, int port, long pid, long startedAt, boolean running) {
        String instanceId() {
            return ID_PREFIX + hostLabel;
        }

        Record withProcess(long newPid, long newStart, boolean run) {
            return new Record(nodeId, hostLabel, port, newPid, newStart, run);
        }

        Record withRunning(boolean run) {
            return new Record(nodeId, hostLabel, port, pid, startedAt, run);
        }
    }
}
