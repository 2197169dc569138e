package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * cloud/iam-policy.json grants exactly the AWS actions the service calls: no wildcard action, none
 * missing, none extra. The calls are read from the compiled code (every method invoked on an AWS SDK
 * client, a paginator or a waiter, whatever the variable is called) and from the routes (operations
 * of aws2-* endpoints); a few actions AWS requires alongside a call are listed below with the reason.
 */
class IamPolicyTest {

    private static final Pattern CLIENT = Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/([A-Za-z0-9]+)Client");
    private static final Pattern WAITER = Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/waiters/[A-Za-z0-9]+Waiter");
    private static final Set<String> NOT_CALLS = Set.of("builder", "create", "close", "serviceName", "waiter",
            "serviceClientConfiguration", "utilities");

    /** What a waiter polls. */
    private static final Map<String, String> WAITERS = Map.of(
            "waitUntilTableExists", "DescribeTable",
            "waitUntilTableNotExists", "DescribeTable",
            "waitUntilInstanceRunning", "DescribeInstances",
            "waitUntilInstanceTerminated", "DescribeInstances");

    /** camel-aws2-* operations, by the component's name for them. */
    private static final Map<String, String> CAMEL_OPERATIONS = Map.of(
            "ec2:createAndRunInstances", "ec2:RunInstances",
            "ec2:describeInstancesStatus", "ec2:DescribeInstanceStatus");

    /**
     * Actions AWS checks in addition to a call's own. TransactWriteItems has no action of its own: each
     * item's Put or Update is authorised as such (both appear as direct calls too).
     */
    private static final Map<String, List<String>> ALSO_REQUIRED = Map.of(
            "ec2:RunInstances", List.of("ec2:CreateTags", "iam:PassRole"),
            // Tags given to RunTask are authorised as TagResource; a copied task definition passes its roles.
            "ecs:RunTask", List.of("ecs:TagResource"),
            "ecs:RegisterTaskDefinition", List.of("iam:PassRole"),
            "dynamodb:TransactWriteItems", List.of("dynamodb:PutItem", "dynamodb:UpdateItem"));

    @Test
    void policyGrantsExactlyTheActionsTheCodeCalls() throws IOException {
        Set<String> called = new TreeSet<>();
        called.addAll(sdkCalls(Path.of("target/classes")));
        called.addAll(routeOperations(Path.of("routes")));
        assertTrue(called.contains("dynamodb:PutItem") && called.contains("ec2:RunInstances"), "calls were found: " + called);

        Set<String> required = new TreeSet<>();
        for (String action : called) {
            List<String> implied = ALSO_REQUIRED.get(action);
            if (action.equals("dynamodb:TransactWriteItems")) {
                required.addAll(implied);
                continue;
            }
            required.add(action);
            if (implied != null) {
                required.addAll(implied);
            }
        }

        Set<String> granted = actions(new ObjectMapper().readTree(Path.of("cloud/iam-policy.json").toFile()));
        granted.forEach(a -> assertFalse(a.contains("*"), "wildcard action " + a));
        assertEquals(required, granted, "cloud/iam-policy.json versus the AWS operations the code uses");
    }

    @Test
    void cloudFormationRoleGrantsTheSameActions() throws IOException {
        Map<String, Object> template = CloudFormationTemplateTest.template();
        @SuppressWarnings("unchecked")
        Map<String, Object> role = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) template.get("Resources"))
                .get("ControlPlaneRole")).get("Properties");
        JsonNode policies = new ObjectMapper().valueToTree(role.get("Policies"));
        Set<String> granted = new TreeSet<>();
        policies.forEach(p -> granted.addAll(actions(p.get("PolicyDocument"))));
        assertEquals(actions(new ObjectMapper().readTree(Path.of("cloud/iam-policy.json").toFile())), granted);
    }

    /**
     * The attack: with the service's credentials, launch any image, any size, anywhere, untagged, with
     * IMDSv1; change any zone's records; pass any role. Each launch resource is conditioned instead:
     * the plans' instance types only, IMDSv2, the required tags, the image owner's images, encrypted
     * gp3 volumes no larger than the largest plan disk, the one node subnet and security group.
     */
    @Test
    void launchesAreLimitedToWhatThePlansSell() throws IOException {
        JsonNode policy = new ObjectMapper().readTree(Path.of("cloud/iam-policy.json").toFile());
        java.util.Properties config = new java.util.Properties();
        try (var reader = Files.newBufferedReader(Path.of("application.properties"))) {
            config.load(reader);
        }
        List<JsonNode> launches = statements(policy, "ec2:RunInstances");
        for (JsonNode launch : launches) {
            resources(launch).forEach(r -> assertFalse(r.equals("*") || r.endsWith(":subnet/*") || r.endsWith(":security-group/*"),
                    launch.get("Sid").asText() + " launches into " + r));
        }
        JsonNode instance = only(launches, ":instance/*").get("Condition");
        Set<String> sold = new TreeSet<>();
        for (String key : config.stringPropertyNames()) {
            if (key.matches("plans\\.[a-z0-9-]+\\.instance-types")) {
                sold.addAll(List.of(config.getProperty(key).trim().split("\\s*,\\s*")));
            }
        }
        sold.add(config.getProperty("compute.default-instance-type").trim());
        assertEquals(sold, values(instance.path("StringEquals").path("ec2:InstanceType")), "instance types a launch may use");
        assertEquals("required", instance.path("StringEquals").path("ec2:MetadataHttpTokens").asText());
        assertEquals("edge-hive-cloud", instance.path("StringEquals").path("aws:RequestTag/managed-by").asText());
        for (String tag : List.of("edgehive:node-id", "edgehive:user-id", "edgehive:plan")) {
            assertEquals("false", instance.path("Null").path("aws:RequestTag/" + tag).asText(), tag + " is required");
        }
        JsonNode volume = only(launches, ":volume/*").get("Condition");
        assertEquals("true", volume.path("Bool").path("ec2:Encrypted").asText());
        int largestDisk = config.stringPropertyNames().stream().filter(k -> k.matches("plans\\.[a-z0-9-]+\\.storage-gb"))
                .flatMap(k -> java.util.Arrays.stream(config.getProperty(k).trim().split("\\s*,\\s*"))).mapToInt(Integer::parseInt)
                .max().orElseThrow();
        assertEquals(largestDisk, volume.path("NumericLessThanEquals").path("ec2:VolumeSize").asInt(), "largest disk a plan sells");
        assertEquals(config.getProperty("ec2.ami-owner").trim(),
                only(launches, "::image/*").path("Condition").path("StringEquals").path("ec2:Owner").asText());
        assertTrue(only(launches, ":network-interface/*").path("Condition").path("ArnLike").has("ec2:Subnet"));

        JsonNode passRole = statements(policy, "iam:PassRole").get(0);
        resources(passRole).forEach(r -> assertFalse(r.contains("*"), "PassRole on " + r));
        assertEquals("ec2.amazonaws.com", passRole.path("Condition").path("StringEquals").path("iam:PassedToService").asText());

        for (JsonNode dns : statements(policy, "route53:ChangeResourceRecordSets")) {
            resources(dns).forEach(r -> assertFalse(r.endsWith("hostedzone/*"), "every zone: " + r));
            JsonNode condition = dns.path("Condition").path("ForAllValues:StringEquals");
            assertEquals(Set.of("A"), values(condition.path("route53:ChangeResourceRecordSetsRecordTypes")));
            assertEquals(Set.of("UPSERT", "DELETE"), values(condition.path("route53:ChangeResourceRecordSetsActions")));
        }
        statements(policy, "route53:ListResourceRecordSets").forEach(list -> resources(list)
                .forEach(r -> assertFalse(r.endsWith("hostedzone/*"), "every zone: " + r)));
    }

    /**
     * Nodes run only where the plans sell them: every compute statement (EC2, ECS) carries
     * aws:RequestedRegion with exactly the regions the plans offer; every ECS statement that can be
     * scoped to a cluster is (by ARN and ecs:cluster), and stopping a task needs the managed-by tag.
     */
    @Test
    void computeIsLimitedToThePlansRegionsAndTheNodeCluster() throws IOException {
        JsonNode policy = new ObjectMapper().readTree(Path.of("cloud/iam-policy.json").toFile());
        java.util.Properties config = new java.util.Properties();
        try (var reader = Files.newBufferedReader(Path.of("application.properties"))) {
            config.load(reader);
        }
        Set<String> regions = new TreeSet<>();
        for (String key : config.stringPropertyNames()) {
            if (key.matches("plans\\.[a-z0-9-]+\\.regions")) {
                regions.addAll(List.of(config.getProperty(key).trim().split("\\s*,\\s*")));
            }
        }
        assertFalse(regions.isEmpty());
        int compute = 0;
        for (JsonNode statement : policy.get("Statement")) {
            Set<String> actions = values(statement.get("Action"));
            if (actions.stream().noneMatch(a -> a.startsWith("ec2:") || a.startsWith("ecs:"))) {
                continue;
            }
            compute++;
            String sid = statement.get("Sid").asText();
            assertEquals(regions, values(statement.path("Condition").path("StringEquals").path("aws:RequestedRegion")), sid);
            boolean taskDefinitions = actions.stream().allMatch(a -> a.endsWith("TaskDefinition"));
            if (actions.stream().anyMatch(a -> a.startsWith("ecs:")) && !taskDefinitions) {
                resources(statement).forEach(r -> assertTrue(r.contains("${EcsCluster}") || r.contains("task-definition/${EcsTaskFamily}-"),
                        sid + " on " + r));
                if (!actions.contains("ecs:TagResource")) {
                    assertTrue(statement.path("Condition").path("ArnLike").path("ecs:cluster").asText().endsWith(":cluster/${EcsCluster}"), sid);
                }
            }
        }
        assertTrue(compute >= 10, "compute statements found: " + compute);
        JsonNode stop = statements(policy, "ecs:StopTask").get(0);
        assertEquals("edge-hive-cloud", stop.path("Condition").path("StringEquals").path("aws:ResourceTag/managed-by").asText());
        JsonNode run = statements(policy, "ecs:RunTask").get(0);
        assertEquals("edge-hive-cloud", run.path("Condition").path("StringEquals").path("aws:RequestTag/managed-by").asText());
        assertEquals("RunTask", statements(policy, "ecs:TagResource").get(0).path("Condition").path("StringEquals")
                .path("ecs:CreateAction").asText());
    }

    /** The template's role carries the same statements with the same condition keys (values are its parameters). */
    @Test
    void cloudFormationRoleHasTheSameConditions() throws IOException {
        Map<String, Object> template = CloudFormationTemplateTest.template();
        @SuppressWarnings("unchecked")
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        @SuppressWarnings("unchecked")
        Map<String, Object> role = (Map<String, Object>) ((Map<String, Object>) resources.get("ControlPlaneRole")).get("Properties");
        JsonNode templateStatements = new ObjectMapper().valueToTree(role.get("Policies")).get(0).get("PolicyDocument");
        JsonNode policy = new ObjectMapper().readTree(Path.of("cloud/iam-policy.json").toFile());
        assertEquals(conditionKeys(policy), conditionKeys(templateStatements));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> parameters = (Map<String, Map<String, Object>>) template.get("Parameters");
        JsonNode instance = only(statements(policy, "ec2:RunInstances"), ":instance/*");
        assertEquals(values(instance.path("Condition").path("StringEquals").path("ec2:InstanceType")),
                new TreeSet<>(List.of(String.valueOf(parameters.get("NodeInstanceTypes").get("Default")).split(","))));
    }

    private static Map<String, Set<String>> conditionKeys(JsonNode policy) {
        Map<String, Set<String>> keys = new java.util.TreeMap<>();
        for (JsonNode statement : policy.get("Statement")) {
            Set<String> names = new TreeSet<>();
            statement.path("Condition").fields().forEachRemaining(operator -> operator.getValue().fieldNames()
                    .forEachRemaining(key -> names.add(operator.getKey() + " " + key)));
            keys.put(statement.get("Sid").asText(), names);
        }
        return keys;
    }

    private static List<JsonNode> statements(JsonNode policy, String action) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            JsonNode actions = statement.get("Action");
            if (values(actions).contains(action)) {
                found.add(statement);
            }
        }
        assertFalse(found.isEmpty(), "a statement grants " + action);
        return found;
    }

    private static JsonNode only(List<JsonNode> statements, String resourceSuffix) {
        List<JsonNode> matching = statements.stream().filter(s -> resources(s).stream().anyMatch(r -> r.endsWith(resourceSuffix))).toList();
        assertEquals(1, matching.size(), "one statement for " + resourceSuffix);
        return matching.get(0);
    }

    private static List<String> resources(JsonNode statement) {
        return new ArrayList<>(values(statement.get("Resource")));
    }

    private static Set<String> values(JsonNode node) {
        Set<String> values = new TreeSet<>();
        if (node != null && node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        } else if (node != null && !node.isMissingNode()) {
            values.add(node.asText());
        }
        return values;
    }

    static Set<String> actions(JsonNode policy) {
        Set<String> actions = new TreeSet<>();
        for (JsonNode statement : policy.get("Statement")) {
            assertEquals("Allow", statement.get("Effect").asText());
            JsonNode action = statement.get("Action");
            if (action.isArray()) {
                action.forEach(a -> actions.add(a.asText()));
            } else {
                actions.add(action.asText());
            }
        }
        return actions;
    }

    /** Every AWS SDK client, paginator or waiter method the compiled code invokes, as IAM actions. */
    static Set<String> sdkCalls(Path classes) throws IOException {
        Set<String> calls = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (String[] ref : methodRefs(in)) {
                        Matcher client = CLIENT.matcher(ref[0]);
                        Matcher waiter = WAITER.matcher(ref[0]);
                        if (client.matches() && !NOT_CALLS.contains(ref[1])) {
                            calls.add(client.group(1) + ":" + capitalise(ref[1].replaceFirst("Paginator$", "")));
                        } else if (waiter.matches() && ref[1].startsWith("waitUntil")) {
                            String polled = WAITERS.get(ref[1]);
                            assertTrue(polled != null, "add the action waiter " + ref[1] + " polls to WAITERS");
                            calls.add(waiter.group(1) + ":" + polled);
                        }
                    }
                }
            }
        }
        return calls;
    }

    /** Operations of aws2-* endpoints in the YAML routes. */
    static Set<String> routeOperations(Path routes) throws IOException {
        Set<String> operations = new TreeSet<>();
        Pattern endpoint = Pattern.compile("aws2-([a-z0-9]+):");
        Pattern operation = Pattern.compile("operation[:=]\\s*\"?([A-Za-z]+)");
        try (Stream<Path> files = Files.list(routes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                String text = Files.readString(file);
                Matcher uri = endpoint.matcher(text);
                while (uri.find()) {
                    String service = uri.group(1);
                    int end = text.indexOf("\n- ", uri.end());
                    Matcher op = operation.matcher(text.substring(uri.end(), end < 0 ? text.length() : end));
                    assertTrue(op.find(), file + ": aws2-" + service + " endpoint without an operation");
                    String key = service + ":" + op.group(1);
                    operations.add(CAMEL_OPERATIONS.getOrDefault(key, service + ":" + capitalise(op.group(1))));
                }
            }
        }
        return operations;
    }

    private static String capitalise(String method) {
        return Character.toUpperCase(method.charAt(0)) + method.substring(1);
    }

    /** {owner class, method name} of every method reference in a class file's constant pool. */
    static List<String[]> methodRefs(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        int[][] refs = new int[count][];
        int[][] nameAndTypes = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 9 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 10, 11 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String[]> found = new ArrayList<>();
        for (int[] ref : refs) {
            if (ref != null) {
                found.add(new String[] {utf8[classNames[ref[0]]], utf8[nameAndTypes[ref[1]][0]]});
            }
        }
        return found;
    }
}
