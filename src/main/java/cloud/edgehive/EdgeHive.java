package cloud.edgehive;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import cloud.edgehive.ops.RouteValidation;

/**
 * Starts the service: routes come from {@code routes/*.camel.yaml}, settings from
 * {@code application.properties}, overlaid by {@code <profile>.properties} when a profile is named
 * ({@code EDGEHIVE_PROFILE=local}, which {@code scripts/run.sh} sets by default).
 */
public final class EdgeHive {

    private EdgeHive() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("validate")) {
            // Checks edited routes and properties without starting anything: see RouteValidation.
            List<Path> files = args.length > 1
                    ? Arrays.stream(args).skip(1).map(Path::of).toList()
                    : RouteValidation.routeFiles(Path.of("routes"));
            System.exit(new RouteValidation(placeholderLocations(System.getenv("EDGEHIVE_PROFILE"))).run(files, System.out));
        }
        if (args.length > 0 && args[0].equals("sign-in")) {
            // Local mode: a new sign-in link without a restart (see SignInCommand).
            System.exit(cloud.edgehive.web.SignInCommand.run(placeholderLocations(System.getenv("EDGEHIVE_PROFILE")), args, System.out));
        }
        newMain().run(args);
    }

    /** The Camel main exactly as production runs it; tests start the same one with overrides. */
    public static Main newMain() {
        return newMain(System.getenv("EDGEHIVE_PROFILE"));
    }

    /** The same, with the given profile's overlay (null or empty: application.properties alone). */
    public static Main newMain(String profile) {
        // The bean wiring is named rather than found: scanning this package means walking every entry of
        // the 120 MB jar, about a tenth of the start-up.
        Main main = new Main();
        main.configure().addConfiguration(ServiceBeans.class);
        main.setPropertyPlaceholderLocations(placeholderLocations(profile));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport started) {
                // Start-up leaves tens of megabytes of garbage (parsed YAML, route models, SDK metadata);
                // one collection now lets the heap shrink back before the service sits idle.
                System.gc();
            }
        });
        return main;
    }

    /**
     * Camel takes a key from the first location that has it, so the profile overlay comes first and
     * overrides application.properties; the environment overrides both.
     */
    static String placeholderLocations(String profile) {
        String config = System.getenv().getOrDefault("EDGEHIVE_CONFIG", "application.properties");
        if (profile == null || profile.isBlank()) {
            return "file:" + config;
        }
        if (!profile.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("EDGEHIVE_PROFILE must be a simple name like 'local', got '" + profile + "'");
        }
        return "file:" + profile + ".properties,file:" + config;
    }
}
