package cloud.edgehive.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import cloud.edgehive.problem.ProblemException;
import cloud.edgehive.problem.Problems;

/**
 * Every failed dashboard request ends here (the {@code web-errors} route configuration) and gets a
 * readable answer, never a blank page, a stack trace or raw JSON: a page with what went wrong and
 * where to go next, or for a live update, a message in the page's alert area. Refusals carry the
 * same words the API gives ({@link Problems#of}); anything unexpected is logged with an id the page
 * shows. Someone not signed in (or whose session ended) is taken to the sign-in page.
 */
public class WebErrors {

    private final Pages pages;

    public WebErrors(Pages pages) {
        this.pages = pages;
    }

    public void respond(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof WebSessions.SignInRequired signIn) {
            pages.redirect(exchange, signIn.expired() ? "/app/sign-in?expired" : "/app/sign-in");
            return;
        }
        ProblemException problem = Problems.of(exchange);
        int status = problem.getStatus();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("status", status);
        model.put("problem", problem.getTitle());
        model.put("detail", problem.getDetail());
        if (WebRequest.of(exchange).htmx()) {
            String html = pages.fragment(exchange, "alert", model);
            pages.html(exchange, status, html);
            // Into the page's alert area, whatever the request meant to update.
            exchange.getMessage().setHeader("HX-Retarget", "#flash");
            exchange.getMessage().setHeader("HX-Reswap", "innerHTML");
            return;
        }
        pages.page(exchange, status, "error", problem.getTitle(), model);
    }
}
