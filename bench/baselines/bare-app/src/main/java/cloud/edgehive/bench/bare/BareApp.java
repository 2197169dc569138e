package cloud.edgehive.bench.bare;

import org.apache.camel.main.Main;

/** camel-main, one platform-http YAML route, health on the management port: the start-up baseline. */
public final class BareApp {

    private BareApp() {
    }

    public static void main(String[] args) throws Exception {
        new Main(BareApp.class).run(args);
    }
}
