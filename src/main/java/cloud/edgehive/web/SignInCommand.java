package cloud.edgehive.web;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.impl.DefaultCamelContext;

import cloud.edgehive.Settings;
import cloud.edgehive.auth.LocalToken;

/**
 * {@code edge-hive-cloud.jar sign-in [--admin]} ({@code scripts/run.sh sign-in}): prints a new
 * local-mode sign-in link without restarting the service. It reads the same configuration the
 * service does, so it works for whoever can read that configuration's secrets on this machine, and
 * for no web page: a browser can post to a loopback endpoint, but it cannot run a command. Refused
 * outside local mode, where the host application issues sign-in links.
 */
public final class SignInCommand {

    private SignInCommand() {
    }

    public static int run(String placeholderLocations, String[] args, PrintStream out) {
        return run(placeholderLocations, java.util.Map.of(), args, out);
    }

    /** As {@link #run(String, String[], PrintStream)}, with settings that win over the files (as the service's overrides do). */
    public static int run(String placeholderLocations, java.util.Map<String, String> overrides, String[] args, PrintStream out) {
        List<String> options = Arrays.asList(args);
        boolean admin = options.contains("--admin");
        // Only its properties component is used: the context is never started (nor stopped, which would log).
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(placeholderLocations);
        java.util.Properties wins = new java.util.Properties();
        wins.putAll(overrides);
        context.getPropertiesComponent().setOverrideProperties(wins);
        Settings settings = new Settings(context);
        if (!settings.flag("auth.local-token.enabled", false)) {
            out.println("sign-in: local mode only (auth.local-token.enabled=false); elsewhere the host application issues sign-in links");
            return 1;
        }
        LocalToken tokens = LocalToken.from(settings, Clock.systemUTC());
        out.println((admin ? "Admin sign-in" : "Sign-in") + " link for " + settings.text("local.user-id", "local-user")
                + " (works once, within " + tokens.lifetime().toMinutes() + " minutes): "
                + settings.required("web.base-url") + "/app/sign-in#token=" + tokens.mint(admin));
        return 0;
    }
}
