package cloud.edgehive;

import org.apache.camel.main.Main;

/** Starts the service: routes come from {@code routes/*.camel.yaml}, settings from {@code application.properties}. */
public final class EdgeHive {

    private EdgeHive() {
    }

    public static void main(String[] args) throws Exception {
        newMain().run(args);
    }

    /** The Camel main exactly as production runs it; tests start the same one with overrides. */
    public static Main newMain() {
        String config = System.getenv().getOrDefault("EDGEHIVE_CONFIG", "application.properties");
        // Scans this package, which finds ServiceBeans (the bean wiring) as a CamelConfiguration.
        Main main = new Main(EdgeHive.class);
        main.setPropertyPlaceholderLocations("file:" + config);
        return main;
    }
}
