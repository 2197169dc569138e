package cloud.edgehive.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;

import org.apache.camel.Exchange;

import com.nimbusds.jwt.SignedJWT;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.auth.TokenVerifier;
import cloud.edgehive.problem.ProblemException;

/**
 * Signs browsers in and out. A sign-in link carries the same short-lived JWT the API accepts, in the
 * URL fragment (which browsers never send to a server, proxy or access log); the sign-in page posts
 * it once and gets an HttpOnly, SameSite=Strict session cookie (Secure outside local mode) in
 * exchange. Every state-changing form carries the session's CSRF token.
 */
public class WebSessions {

    /** The refusal of a page to someone not signed in; the web error handler turns it into a trip to the sign-in. */
    public static final class SignInRequired extends ProblemException {
        private final boolean expired;

        SignInRequired(boolean expired) {
            super(401, "Sign in", expired ? "Your session has ended; sign in again" : "Sign in to continue");
            this.expired = expired;
        }

        public boolean expired() {
            return expired;
        }
    }

    private final SessionStore sessions;
    private final TokenVerifier verifier;
    private final Duration lifetime;
    private final boolean secureCookie;
    private final String cookieName;

    public WebSessions(SessionStore sessions, TokenVerifier verifier, Duration lifetime, boolean secureCookie) {
        this.sessions = sessions;
        this.verifier = verifier;
        this.lifetime = lifetime;
        this.secureCookie = secureCookie;
        // __Host- makes the browser refuse the cookie unless it is Secure, for this host only, on path /.
        this.cookieName = secureCookie ? "__Host-edgehive-session" : "edgehive-session";
    }

    /** The sign-in form's post: the token, verified exactly as the API verifies it, exchanged once for a session. */
    public void signIn(Exchange exchange) {
        WebRequest request = WebRequest.of(exchange);
        if (!request.sameOrigin()) {
            throw new ProblemException(403, "Sign-in refused", "The sign-in did not come from this site's sign-in page");
        }
        String token = request.field("token");
        if (token == null || token.isBlank()) {
            throw new ProblemException(401, "Sign-in link needed",
                    "Open the sign-in link you were given; it carries your sign-in token");
        }
        token = token.trim();
        Caller caller;
        try {
            caller = verifier.verify("Bearer " + token);
        } catch (ProblemException refused) {
            throw new ProblemException(401, "Sign-in link not valid",
                    "This sign-in link is invalid or has expired. Ask for a new one");
        }
        if (!sessions.markExchanged(token, expiry(token))) {
            throw new ProblemException(401, "Sign-in link already used",
                    "Each sign-in link works once. Ask for a new one");
        }
        WebSession session = sessions.create(caller.userId(), caller.admin(), lifetime);
        exchange.setVariable("session", session);
        Pages.setCookie(exchange, cookie(session.id(), lifetime.toSeconds()));
    }

    /** The signed-in browser's session, as the variables {@code session} and {@code caller}; else a trip to the sign-in. */
    public void require(Exchange exchange) {
        WebRequest request = WebRequest.of(exchange);
        String id = request.cookie(cookieName);
        WebSession session = sessions.find(id).orElseThrow(() -> new SignInRequired(id != null));
        exchange.setVariable("session", session);
        exchange.setVariable("caller", session.caller());
    }

    /**
     * A state-changing form must carry this session's CSRF token and come from this site; another
     * site's page can neither read the token nor (with SameSite=Strict) send the cookie.
     */
    public void checkForm(Exchange exchange) {
        WebSession session = exchange.getVariable("session", WebSession.class);
        WebRequest request = WebRequest.of(exchange);
        String sent = request.field("csrf");
        boolean matches = session != null && sent != null
                && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), session.csrf().getBytes(StandardCharsets.UTF_8));
        if (!matches || !request.sameOrigin()) {
            throw new ProblemException(403, "Form refused",
                    "This form did not come from your current dashboard page. Reload the page and try again");
        }
    }

    public void signOut(Exchange exchange) {
        WebSession session = exchange.getVariable("session", WebSession.class);
        if (session != null) {
            sessions.end(session.id());
        }
        exchange.removeVariable("session");
        Pages.setCookie(exchange, cookie("", 0));
    }

    private String cookie(String value, long maxAge) {
        return cookieName + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "");
    }

    private static Instant expiry(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        } catch (ParseException verifiedAlready) {
            throw new IllegalStateException(verifiedAlready);
        }
    }
}
