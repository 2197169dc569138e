package cloud.edgehive.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.LineNumberAware;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.LoopDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * {@code validate}: loads edited YAML routes and properties the way the service does and reports
 * every problem as {@code file:line: message}, without starting anything (no server, no DynamoDB,
 * no route). It checks that each file parses as Camel YAML DSL, that every {@code {{placeholder}}}
 * names a known key, that every endpoint URI resolves with valid options, and that every simple
 * expression compiles. Exit status 0 when all is well, 1 otherwise.
 */
public final class RouteValidation {

    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\s*- name: ([A-Za-z0-9_.-]+)\\s*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");
    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    /** One problem, where it is. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + (line > 0 ? line : "?") + ": " + message;
        }
    }

    private final String propertyLocations;

    public RouteValidation(String propertyLocations) {
        this.propertyLocations = propertyLocations;
    }

    /** Runs the check over the given route files and prints the outcome; the process exit status. */
    public int run(List<Path> files, PrintStream out) {
        List<Problem> problems = validate(files);
        problems.forEach(out::println);
        if (problems.isEmpty()) {
            out.println("validate: OK, " + files.size() + " route files with properties from " + propertyLocations);
            return 0;
        }
        out.println("validate: " + problems.size() + " problem(s)");
        return 1;
    }

    public List<Problem> validate(List<Path> files) {
        List<Problem> problems = new ArrayList<>();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation(propertyLocations);
            context.setSourceLocationEnabled(true);
            context.build();
            for (Path file : files) {
                String name = file.toString();
                List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    problems.add(new Problem(name, 0, "cannot read: " + e.getMessage()));
                    continue;
                }
                checkPlaceholders(context, name, lines, problems);
                int before = ((ModelCamelContext) context).getRouteDefinitions().size();
                try {
                    Resource resource = ResourceHelper.fromString("file:" + name, String.join("\n", lines));
                    PluginHelper.getRoutesLoader(context).loadRoutes(resource);
                } catch (Exception e) {
                    problems.add(new Problem(name, lineOf(e), rootMessage(e)));
                    continue;
                }
                List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
                for (RouteDefinition route : routes.subList(before, routes.size())) {
                    checkRoute(context, name, route, problems);
                }
            }
        } catch (IOException e) {
            problems.add(new Problem("(context)", 0, "could not close the validation context: " + e.getMessage()));
        }
        return problems;
    }

    /**
     * Every {{key}} must resolve ({{?key}} is optional, {{key:default}} has a default, env: and sys: are
     * functions), except a route template's own parameters, which its templated routes supply.
     */
    private static void checkPlaceholders(CamelContext context, String file, List<String> lines, List<Problem> problems) {
        java.util.Set<String> templateParameters = new java.util.HashSet<>();
        if (lines.stream().anyMatch(l -> l.startsWith("- routeTemplate:"))) {
            for (String line : lines) {
                Matcher parameter = TEMPLATE_PARAMETER.matcher(line);
                if (parameter.matches()) {
                    templateParameters.add(parameter.group(1));
                }
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = PLACEHOLDER.matcher(lines.get(i));
            while (m.find()) {
                String key = m.group(1).trim();
                if (key.startsWith("?") || key.contains(":") || templateParameters.contains(key)) {
                    continue;
                }
                if (context.getPropertiesComponent().resolveProperty(key).isEmpty()) {
                    problems.add(new Problem(file, i + 1, "unknown property {{" + key + "}}"));
                }
            }
        }
    }

    private static void checkRoute(CamelContext context, String file, RouteDefinition route, List<Problem> problems) {
        FromDefinition from = route.getInput();
        if (from != null) {
            checkEndpoint(context, file, from.getEndpointUri(), lineOf(from, route), problems);
        }
        for (ProcessorDefinition<?> step : route.getOutputs()) {
            checkStep(context, file, step, lineOf(route, route), problems);
        }
    }

    private static void checkStep(CamelContext context, String file, ProcessorDefinition<?> step, int parentLine, List<Problem> problems) {
        int line = step.getLineNumber() > 0 ? step.getLineNumber() : parentLine;
        if (step instanceof SendDefinition<?> send && send.getEndpointUri() != null) {
            checkEndpoint(context, file, send.getEndpointUri(), line, problems);
        }
        if (step instanceof ExpressionNode node && node.getExpression() != null) {
            boolean predicate = step instanceof FilterDefinition || step instanceof LoopDefinition;
            checkExpression(context, file, node.getExpression(), predicate, line, problems);
        }
        if (step instanceof ChoiceDefinition choice) {
            for (WhenDefinition when : choice.getWhenClauses()) {
                int whenLine = when.getLineNumber() > 0 ? when.getLineNumber() : line;
                checkExpression(context, file, when.getExpression(), true, whenLine, problems);
                when.getOutputs().forEach(child -> checkStep(context, file, child, whenLine, problems));
            }
            if (choice.getOtherwise() != null) {
                choice.getOtherwise().getOutputs().forEach(child -> checkStep(context, file, child, line, problems));
            }
            return;
        }
        for (ProcessorDefinition<?> child : step.getOutputs()) {
            checkStep(context, file, child, line, problems);
        }
    }

    private static void checkEndpoint(CamelContext context, String file, String uri, int line, List<Problem> problems) {
        if (uri == null || uri.contains("${")) {
            return;
        }
        String resolved;
        try {
            resolved = context.resolvePropertyPlaceholders(uri);
        } catch (IllegalArgumentException unknownProperty) {
            return; // reported by checkPlaceholders with its own line
        }
        try {
            Endpoint endpoint = context.getEndpoint(resolved);
            if (endpoint == null) {
                problems.add(new Problem(file, line, "no component for endpoint " + uri));
            }
        } catch (Exception e) {
            if (hasCause(e, NoSuchBeanException.class)) {
                return; // beans come from the service's wiring, which validate does not start
            }
            problems.add(new Problem(file, line, "endpoint " + uri + ": " + rootMessage(e)));
        }
    }

    private static void checkExpression(CamelContext context, String file, ExpressionDefinition expression, boolean predicate,
                                        int line, List<Problem> problems) {
        if (expression == null || !"simple".equals(expression.getLanguage()) || expression.getExpression() == null) {
            return;
        }
        String text = expression.getExpression();
        if (text == null) {
            return;
        }
        try {
            String resolved = context.resolvePropertyPlaceholders(text);
            if (predicate) {
                context.resolveLanguage("simple").createPredicate(resolved);
            } else {
                context.resolveLanguage("simple").createExpression(resolved);
            }
        } catch (IllegalArgumentException unknownProperty) {
            // Reported by checkPlaceholders with its own line.
        } catch (Exception e) {
            problems.add(new Problem(file, line, "simple expression " + text + ": " + rootMessage(e)));
        }
    }

    private static int lineOf(LineNumberAware node, LineNumberAware fallback) {
        return node.getLineNumber() > 0 ? node.getLineNumber() : fallback.getLineNumber();
    }

    /** The line a parse error names; of several ("while parsing ... line 4 ... found ... line 7"), the last is the culprit. */
    private static int lineOf(Throwable e) {
        int line = 0;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = LINE.matcher(String.valueOf(t.getMessage()));
            while (m.find()) {
                line = Integer.parseInt(m.group(1));
            }
            if (line > 0) {
                return line;
            }
        }
        return line;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The route files the service loads: routes/*.camel.yaml. */
    public static List<Path> routeFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }
}
