package cloud.edgehive.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * A node as the dashboard shows it: its one human name (the DNS label, also in its email) beside its
 * id, a status badge in words, progress through the provisioning steps, its URL once READY, the
 * history as a timeline, a plain failure reason (never a provider's message: that stays in the
 * admin-only dead letter) and the billing countdown its {@code billing} fields carry.
 */
public class NodePresenter {

    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter WHEN_EXACT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy").withZone(ZoneOffset.UTC);

    /** The provisioning steps in order, as a buyer reads them. */
    private static final List<Map.Entry<NodeState, String>> STEPS = List.of(
            Map.entry(NodeState.REQUESTED, "Payment received"),
            Map.entry(NodeState.ALLOCATED, "Capacity reserved"),
            Map.entry(NodeState.LAUNCHING, "Machine starting"),
            Map.entry(NodeState.RUNNING, "Machine running"),
            Map.entry(NodeState.ACCESS_READY, "Address published"),
            Map.entry(NodeState.READY, "Ready"));

    private final Clock clock;

    public NodePresenter(Clock clock) {
        this.clock = clock;
    }

    public Map<String, Object> summary(Node node) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", node.nodeId());
        view.put("name", node.hostLabel());
        view.put("href", "/app/nodes/" + node.nodeId());
        view.put("state", node.state().name());
        view.put("stateLabel", label(node.state()));
        view.put("tone", tone(node.state()));
        view.put("plan", node.plan());
        view.put("region", node.region());
        if (node.host() != null) {
            view.put("address", node.port() == null ? node.host() : node.host() + ":" + node.port());
        }
        if (node.tunnelId() != null) {
            view.put("tunnel", Map.of("id", node.tunnelId(), "status", node.tunnelStatus() == null ? "unknown" : node.tunnelStatus()));
        }
        view.put("instanceType", node.instanceType());
        view.put("storageGb", node.storageGb());
        view.put("created", when(node.createdAt()));
        view.put("createdAt", node.createdAt());
        if (node.state() == NodeState.READY && node.url() != null) {
            view.put("url", node.url());
        }
        if (node.state().isProvisioning()) {
            int done = node.state().ordinal() - NodeState.REQUESTED.ordinal();
            view.put("provisioning", Map.of("step", done + 1, "of", STEPS.size(), "label", STEPS.get(done).getValue()));
        }
        view.put("canRestart", node.state() == NodeState.READY);
        view.put("canTerminate", !node.state().isFinal() && node.state() != NodeState.TERMINATING);
        if (node.state() == NodeState.FAILED) {
            view.put("failure", failure(node));
        }
        Map<String, Object> banner = banner(node);
        if (banner != null) {
            view.put("banner", banner);
        }
        return view;
    }

    /** The summary plus every step in order, with the provisioning progress as a list of steps. */
    public Map<String, Object> detail(Node node) {
        Map<String, Object> view = summary(node);
        List<Map<String, Object>> steps = new ArrayList<>();
        int done = stepsDone(node);
        for (int i = 0; i < STEPS.size(); i++) {
            boolean current = i == done && node.state().isProvisioning();
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("label", STEPS.get(i).getValue());
            step.put("status", i < done ? "done" : current ? "current" : "todo");
            step.put("current", current);
            step.put("done", i < done);
            steps.add(step);
        }
        view.put("steps", steps);
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (Map<String, String> entry : node.history()) {
            Map<String, Object> step = new LinkedHashMap<>();
            NodeState state = NodeState.valueOf(entry.get("state"));
            step.put("state", state.name());
            step.put("stateLabel", state.isProvisioning() ? stepLabel(state) : label(state));
            step.put("at", entry.get("at"));
            step.put("when", entry.get("at") == null ? "" : WHEN_EXACT.format(Instant.parse(entry.get("at"))));
            step.put("note", entry.get("note") == null ? "" : entry.get("note"));
            timeline.add(step);
        }
        view.put("timeline", timeline);
        return view;
    }

    /** The most urgent billing notice among the nodes (the earliest deadline), or null when all is well. */
    public Map<String, Object> banner(List<Node> nodes) {
        Map<String, Object> first = null;
        Instant firstAt = null;
        for (Node node : nodes) {
            Map<String, Object> banner = banner(node);
            if (banner != null) {
                Instant at = Instant.parse((String) banner.get("deadline"));
                if (firstAt == null || at.isBefore(firstAt)) {
                    first = banner;
                    firstAt = at;
                }
            }
        }
        return first;
    }

    private Map<String, Object> banner(Node node) {
        Map<String, String> billing = node.billing();
        String status = billing.get("status");
        if (status == null || node.state().isFinal() || billing.get("terminateAt") == null) {
            return null;
        }
        Instant now = clock.instant();
        Instant terminateAt = Instant.parse(billing.get("terminateAt"));
        String name = node.hostLabel();
        String text;
        Instant deadline = terminateAt;
        switch (status) {
            case "past_due" -> {
                Instant suspendAt = billing.get("suspendAt") == null ? null : Instant.parse(billing.get("suspendAt"));
                String since = day(billing.get("pastDueSince"));
                if (suspendAt != null && now.isBefore(suspendAt)) {
                    deadline = suspendAt;
                    text = "Payment failed on " + since + ". Unless it is paid, " + name + " is suspended in " + countdown(now, suspendAt)
                            + " (" + WHEN.format(suspendAt) + ") and terminated on " + DAY.format(terminateAt) + ".";
                } else {
                    text = "Payment overdue since " + since + ": " + name + " is suspended and will be terminated in "
                            + countdown(now, terminateAt) + " (" + WHEN.format(terminateAt) + ") unless it is paid.";
                }
            }
            case "canceled" -> text = "Your subscription ended on " + day(billing.get("canceledAt")) + ": " + name
                    + " will be terminated in " + countdown(now, terminateAt) + " (" + WHEN.format(terminateAt) + ").";
            case "over_limit" -> text = name + " is over your plan's node limit since " + day(billing.get("overLimitSince"))
                    + ": it will be terminated in " + countdown(now, terminateAt) + " (" + WHEN.format(terminateAt)
                    + ") unless you change your plan or terminate another node.";
            default -> {
                return null;
            }
        }
        Map<String, Object> banner = new LinkedHashMap<>();
        banner.put("status", status);
        banner.put("text", text);
        banner.put("deadline", deadline.toString());
        banner.put("nodeHref", "/app/nodes/" + node.nodeId());
        return banner;
    }

    /** "2 days 4 hours", "3 hours 5 minutes", "12 minutes", "less than a minute". */
    static String countdown(Instant now, Instant at) {
        Duration left = Duration.between(now, at);
        if (left.toMinutes() < 1) {
            return "less than a minute";
        }
        long days = left.toDays();
        long hours = left.toHoursPart();
        long minutes = left.toMinutesPart();
        if (days > 0) {
            return plural(days, "day") + (hours > 0 ? " " + plural(hours, "hour") : "");
        }
        if (hours > 0) {
            return plural(hours, "hour") + (minutes > 0 ? " " + plural(minutes, "minute") : "");
        }
        return plural(minutes, "minute");
    }

    static String label(NodeState state) {
        return switch (state) {
            case REQUESTED -> "Paid, queued";
            case ALLOCATED, LAUNCHING, RUNNING, ACCESS_READY -> "Setting up";
            case READY -> "Ready";
            case RESTARTING -> "Restarting";
            case SUSPENDING -> "Suspending";
            case SUSPENDED -> "Suspended";
            case RESUMING -> "Resuming";
            case TERMINATING -> "Terminating";
            case TERMINATED -> "Terminated";
            case FAILED -> "Failed";
        };
    }

    private static String tone(NodeState state) {
        if (state == NodeState.READY) {
            return "ok";
        }
        if (state == NodeState.FAILED) {
            return "bad";
        }
        if (state == NodeState.SUSPENDED || state.isFinal()) {
            return "off";
        }
        return "busy";
    }

    /** How many provisioning steps the node has completed (all of them once it was READY). */
    private static int stepsDone(Node node) {
        if (node.state().isProvisioning()) {
            return node.state().ordinal() - NodeState.REQUESTED.ordinal();
        }
        int done = 0;
        for (Map<String, String> entry : node.history()) {
            NodeState state = NodeState.valueOf(entry.get("state"));
            if (state == NodeState.READY) {
                return STEPS.size();
            }
            if (state.isProvisioning()) {
                done = Math.max(done, state.ordinal() - NodeState.REQUESTED.ordinal());
            }
        }
        return node.state() == NodeState.READY ? STEPS.size() : done;
    }

    private static String stepLabel(NodeState state) {
        return STEPS.stream().filter(s -> s.getKey() == state).map(Map.Entry::getValue).findFirst().orElse(label(state));
    }

    /** What went wrong, in the buyer's words, from the step that failed; the cause itself is for operators. */
    private static Map<String, Object> failure(Node node) {
        String step = "";
        for (Map<String, String> entry : node.history()) {
            String note = entry.get("note");
            if ("FAILED".equals(entry.get("state")) && note != null && note.startsWith("failed in ")) {
                step = note.substring("failed in ".length());
            }
        }
        String reason;
        if (step.equals("allocate-slot")) {
            reason = "No capacity was free to place it.";
        } else if (step.startsWith("launch")) {
            reason = "Its machine could not be started.";
        } else if (step.equals("await-running")) {
            reason = "Its machine did not come up in time.";
        } else if (step.equals("publish-access") || step.equals("configure-access")) {
            reason = "Its address could not be published.";
        } else if (step.equals("notify-user")) {
            reason = "The email with its address could not be sent.";
        } else if (step.equals("reconciler")) {
            reason = "Setting it up stalled and was stopped.";
        } else {
            reason = "Setting it up did not succeed.";
        }
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("reason", reason);
        failure.put("reference", node.deadLetterId() == null ? "" : node.deadLetterId());
        return failure;
    }

    private static String when(String instant) {
        if (instant == null || instant.isEmpty()) {
            return "";
        }
        try {
            return WHEN.format(Instant.parse(instant));
        } catch (RuntimeException notAnInstant) {
            return instant;
        }
    }

    private static String day(String instant) {
        return instant == null ? "an earlier date" : DAY.format(Instant.parse(instant));
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
