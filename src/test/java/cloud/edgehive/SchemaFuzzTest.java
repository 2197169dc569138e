package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import cloud.edgehive.harness.Api;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.TestCloud;
import cloud.edgehive.harness.StripeSigner;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.store.Node;
import cloud.edgehive.store.NodeState;

/**
 * Schemathesis against the served OpenAPI document with a valid admin token (so every operation,
 * admin provisioning included, gets past authentication): no generated request, valid or not, may
 * get a 5xx. scripts/install-tools.sh installs schemathesis into .tools/venv.
 */
class SchemaFuzzTest {

    // Enough to cover each operation's examples, boundaries and a round of random inputs while the
    // whole suite stays within minutes on a 2-core machine; fixed seed so a failure reproduces.
    private static final String MAX_EXAMPLES = System.getProperty("schemathesis.max-examples", "30");
    private static final String SEED = System.getProperty("schemathesis.seed", "20251122");
    private static final String CHECKS = System.getProperty("schemathesis.checks", "not_a_server_error");

    private static final List<String> NODES = List.of("cs_test_fuzz_a-0", "cs_test_fuzz_b-0");

    private static TestCloud cloud;
    private static RunningService service;

    @BeforeAll
    static void start() {
        cloud = TestCloud.fresh("fuzz");
        Map<String, String> settings = cloud.config();
        // Valid provision requests really provision against moto: keep that load small.
        settings.put("api.provision.max-node-count", "2");
        settings.put("provisioning.workers", "1");
        service = RunningService.start(settings);
        // Real nodes for the fuzzer to read, restart and delete, so those operations get past 404.
        for (String id : NODES) {
            String session = id.substring(0, id.length() - 2);
            assertEquals(200, service.postSignedWebhook(StripeSigner.checkoutCompleted("evt_" + session, session, "user-fuzz",
                    "fuzz@example.com", StripeSigner.PRO_PLAN)).statusCode());
            Node node = service.awaitNode(id, Duration.ofSeconds(60), n -> n.state() == NodeState.READY || n.state().isFinal());
            assertEquals(NodeState.READY, node.state(), node::lastError);
        }
    }

    @AfterAll
    static void stop() {
        service.close();
        cloud.close();
    }

    @Test
    void noGeneratedRequestGetsAServerError() throws Exception {
        Path st = Path.of(System.getProperty("edgehive.tools.dir", ".tools"), "venv/bin/st").toAbsolutePath();
        assertTrue(Files.isExecutable(st), st + " is missing: run scripts/install-tools.sh (the test command does)");
        Path reports = Files.createDirectories(Path.of("target/schemathesis").toAbsolutePath());
        Path output = reports.resolve("output.txt");
        // Half the generated node ids and idempotency keys are real ones, half anything the schema allows.
        Path config = reports.resolve("schemathesis.toml");
        Files.writeString(config, """
                [dictionaries.node-ids]
                values = [%s]

                [dictionaries.idempotency-keys]
                values = ["fuzz-key-1", "fuzz-key-2"]

                [parameters]
                "path.id" = { dictionary = "node-ids", probability = 0.5 }
                "header.Idempotency-Key" = { dictionary = "idempotency-keys", probability = 0.5 }
                """.formatted(String.join(", ", NODES.stream().map(id -> "\"" + id + "\"").toList())));
        List<String> command = List.of(st.toString(), "--config-file", config.toString(), "run", service.url("/api/v1/openapi.json"),
                "--url", service.url(""),
                "--header", "Authorization: Bearer " + Tokens.admin("fuzz-admin"),
                "--checks", CHECKS,
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", MAX_EXAMPLES,
                "--seed", SEED,
                "--workers", "1",
                "--request-timeout", "30",
                "--generation-database", "none",
                "--no-color",
                "--report", "junit", "--report-junit-path", reports.resolve("junit.xml").toString());
        // Run inside target/ so schemathesis's own cache (.schemathesis/) stays out of the work tree.
        Process run = new ProcessBuilder(command).directory(reports.toFile()).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!run.waitFor(8, TimeUnit.MINUTES)) {
            run.descendants().forEach(ProcessHandle::destroy);
            run.destroyForcibly();
            throw new AssertionError("schemathesis did not finish within 8 minutes; output: " + output);
        }
        String report = read(output);
        System.out.println(report);
        assertEquals(0, run.exitValue(), "schemathesis found failures:\n" + report);

        // An exit code of 0 also follows a run that exercised nothing: every documented operation
        // must have been tested (a test case in the report that was not skipped).
        java.util.Set<String> documented = new java.util.TreeSet<>();
        com.fasterxml.jackson.databind.JsonNode doc = Api.json(new Api(service).get("/api/v1/openapi.json", null));
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
        java.util.Set<String> tested = new java.util.TreeSet<>();
        org.w3c.dom.NodeList cases = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(reports.resolve("junit.xml").toFile()).getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            org.w3c.dom.Element testCase = (org.w3c.dom.Element) cases.item(i);
            if (testCase.getElementsByTagName("skipped").getLength() == 0) {
                tested.add(testCase.getAttribute("name"));
            }
        }
        assertEquals(documented, tested, "operations schemathesis exercised");
    }

    private static String read(Path output) throws IOException {
        return Files.readString(output);
    }
}
