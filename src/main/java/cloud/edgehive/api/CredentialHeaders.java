package cloud.edgehive.api;

import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * platform-http's header filter for every HTTP route (set on the component, so routes added later
 * get it too): Camel's usual HTTP filtering, plus one rule. platform-http maps request headers,
 * query parameters and form fields into the same Camel headers, so a form field named
 * {@code Authorization} would read as the bearer token. A credential header is kept only when it is
 * one of the request's own headers; {@link HttpGuard} already refuses credentials in the query.
 */
public class CredentialHeaders extends HttpHeaderFilterStrategy {

    private static final Set<String> CREDENTIALS = Set.of("authorization", "stripe-signature");

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        if (super.applyFilterToExternalHeaders(headerName, headerValue, exchange)) {
            return true;
        }
        if (headerName == null || !CREDENTIALS.contains(headerName.toLowerCase(Locale.ROOT))) {
            return false;
        }
        return !(exchange.getIn() instanceof HttpMessage http) || http.getRequest() == null
                || !http.getRequest().headers().getAll(headerName).contains(String.valueOf(headerValue));
    }
}
