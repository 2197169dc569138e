package cloud.edgehive.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

/**
 * Debian's chromium (the {@code chromium} package, which scripts/install-tools.sh installs) driven
 * headless by Playwright, which is told never to download a browser of its own. Each user gets a
 * fresh browser context (its own cookies). Requests to anywhere but this machine are answered by a
 * stub page instead of leaving it (e.g. the Stripe pages stripe-mock's URLs point at), and the
 * flags below keep chromium from calling home at start.
 */
public final class Chromium implements AutoCloseable {

    /** Where every run's screenshots go (the README's is one of them, copied to docs/). */
    public static final Path SCREENSHOTS = Path.of(System.getProperty("edgehive.project.dir", "."), "target", "screenshots");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static Chromium launch() {
        Path executable = Path.of(System.getProperty("edgehive.chromium", "/usr/bin/chromium"));
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " is missing: run scripts/install-tools.sh (the test command does)");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        // Playwright adds --headless and a fresh temporary --user-data-dir itself.
        Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(executable)
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync")));
        return new Chromium(playwright, browser);
    }

    /** A new user's browser (no cookies), desktop-sized. */
    public BrowserContext user() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 860).setLocale("en-GB"));
        context.setDefaultTimeout(20_000);
        context.route(url -> !isLocal(url), route -> route.fulfill(new com.microsoft.playwright.Route.FulfillOptions()
                .setStatus(200).setContentType("text/html")
                .setBody("<!doctype html><title>Outside page</title><h1>Outside page (stub)</h1>")));
        return context;
    }

    public static Path screenshot(Page page, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    private static boolean isLocal(String url) {
        return url.startsWith("http://127.0.0.1:") || url.startsWith("http://localhost:") || url.startsWith("data:")
                || url.startsWith("about:");
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
