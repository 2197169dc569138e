package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar edge-hive-cloud.jar validate} as an operator runs it before a restart: it accepts
 * the project's routes, rejects a broken route file naming the file and line, and starts nothing.
 */
class ValidateCommandIT {

    @TempDir
    Path work;

    @Test
    void validateAcceptsTheRoutesAndRejectsABrokenFileWithFileAndLine() throws Exception {
        Path project = Path.of(System.getProperty("edgehive.project.dir", ".")).toAbsolutePath();
        Files.copy(project.resolve("application.properties"), work.resolve("application.properties"));
        Files.copy(project.resolve("local.properties"), work.resolve("local.properties"));
        Files.createDirectories(work.resolve("routes"));
        try (Stream<Path> routes = Files.list(project.resolve("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, work.resolve("routes").resolve(route.getFileName()));
            }
        }

        Result ok = validate(project);
        assertEquals(0, ok.status(), ok.output());
        assertTrue(ok.output().contains("validate: OK"), ok.output());

        Files.writeString(work.resolve("routes/zz-edited.camel.yaml"), """
                - route:
                    id: edited
                    from:
                      uri: direct:edited
                      steps:
                        - to:
                            uri: "seda:{{reconciler.intervall-ms}}"
                """);
        Result broken = validate(project);
        assertEquals(1, broken.status(), broken.output());
        assertTrue(broken.output().contains("routes/zz-edited.camel.yaml:7: unknown property {{reconciler.intervall-ms}}"), broken.output());
        assertFalse(broken.output().contains("DynamoDB Local started") || broken.output().contains("HttpServer started"),
                "validate starts nothing:\n" + broken.output());
    }

    @Test
    void theServiceJarHoldsNoDynamoDbLocalAndLocalModeWithoutItSaysWhereItIs() throws Exception {
        Path project = Path.of(System.getProperty("edgehive.project.dir", ".")).toAbsolutePath();
        Path jar = project.resolve("target/edge-hive-cloud.jar");
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            assertTrue(zip.getEntry("com/amazonaws/services/dynamodbv2/local/main/ServerRunner.class") == null,
                    "DynamoDB Local is not in the service jar");
            assertTrue(zip.getEntry("cloud/edgehive/local/EmbeddedDynamo.class") != null);
        }
        try (Stream<Path> libs = Files.list(project.resolve("target/local-lib"))) {
            assertTrue(libs.anyMatch(lib -> lib.getFileName().toString().startsWith("DynamoDBLocal-")), "packaging put it in target/local-lib");
        }
        Files.copy(project.resolve("application.properties"), work.resolve("application.properties"));
        Files.copy(project.resolve("local.properties"), work.resolve("local.properties"));
        Files.createDirectories(work.resolve("routes"));
        try (Stream<Path> routes = Files.list(project.resolve("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, work.resolve("routes").resolve(route.getFileName()));
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", jar.toString())).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().put("EDGEHIVE_PROFILE", "local");
        builder.environment().put("LOG_FORMAT", "text");
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "it stops");
            assertTrue(process.exitValue() != 0, output);
            assertTrue(output.contains("DynamoDB Local is not on the class path") && output.contains("target/local-lib"), output);
        } finally {
            process.destroyForcibly();
        }
    }

    private record Result(int status, String output) {
    }

    private Result validate(Path project) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-jar", project.resolve("target/edge-hive-cloud.jar").toString(), "validate"))
                .directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "validate finished");
        return new Result(process.exitValue(), output);
    }
}
