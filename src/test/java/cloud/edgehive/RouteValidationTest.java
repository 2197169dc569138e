package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cloud.edgehive.ops.RouteValidation;
import cloud.edgehive.ops.RouteValidation.Problem;

/** {@code validate} accepts the project's routes and names the file and line of each kind of mistake. */
class RouteValidationTest {

    private static final RouteValidation PRODUCTION = new RouteValidation("file:application.properties");
    private static final RouteValidation LOCAL = new RouteValidation("file:local.properties,file:application.properties");

    @TempDir
    Path dir;

    @Test
    void theProjectsRoutesAreValidInBothProfiles() throws Exception {
        List<Path> routes = RouteValidation.routeFiles(Path.of("routes"));
        assertTrue(routes.size() >= 8, routes.toString());
        assertEquals(List.of(), PRODUCTION.validate(routes));
        assertEquals(List.of(), LOCAL.validate(routes));
    }

    @Test
    void brokenYamlIsReportedWithFileAndLine() throws Exception {
        Path file = write("broken.camel.yaml", """
                - route:
                    id: broken
                    from:
                      uri: direct:broken
                      steps:
                        - log: "one"
                       - log: "misaligned"
                """);
        Problem problem = only(PRODUCTION.validate(List.of(file)));
        assertEquals(file.toString(), problem.file());
        assertEquals(7, problem.line(), problem.toString());
    }

    @Test
    void unknownDslKeyIsReportedWithFileAndLine() throws Exception {
        Path file = write("unknown-key.camel.yaml", """
                - route:
                    id: unknown-key
                    from:
                      uri: direct:unknown-key
                      steps:
                        - setBody:
                            constant: "x"
                        - sendTo:
                            uri: direct:nowhere
                """);
        Problem problem = only(PRODUCTION.validate(List.of(file)));
        assertEquals(8, problem.line(), problem.toString());
        assertTrue(problem.message().contains("sendTo"), problem.toString());
    }

    @Test
    void unknownPropertyEndpointOptionAndSimpleSyntaxEachGetTheirLine() throws Exception {
        Path file = write("mistakes.camel.yaml", """
                - route:
                    id: mistakes
                    from:
                      uri: direct:mistakes
                      steps:
                        - to:
                            uri: "seda:work?size={{provisioning.queue-sise}}"
                        - to:
                            uri: seda:work?concurrentConsumerz=2
                        - filter:
                            simple: "${body} == 'x' &&& ${header.a}"
                            steps:
                              - log: "kept"
                """);
        List<Problem> problems = PRODUCTION.validate(List.of(file));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.line() == 7 && p.message().contains("provisioning.queue-sise")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.line() == 8 && p.message().contains("concurrentConsumerz")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.line() == 10 && p.message().contains("simple")), problems.toString());
    }

    @Test
    void theCommandPrintsFileColonLineAndFails() throws Exception {
        Path file = write("bad.camel.yaml", "- route:\n    id: bad\n    from:\n      uri: direct:bad\n      steps:\n        - to: \"{{no.such.key}}\"\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = PRODUCTION.run(List.of(file), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(file + ":6: unknown property {{no.such.key}}"), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, PRODUCTION.run(RouteValidation.routeFiles(Path.of("routes")), new PrintStream(new ByteArrayOutputStream())));
    }

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private static Problem only(List<Problem> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }
}
