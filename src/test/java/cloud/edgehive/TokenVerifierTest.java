package cloud.edgehive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import cloud.edgehive.auth.Caller;
import cloud.edgehive.auth.TokenVerifier;
import cloud.edgehive.harness.RunningService;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.problem.ProblemException;

/** Bearer tokens: only a signed, current, short-lived token for this audience and issuer passes. */
class TokenVerifierTest {

    private final TokenVerifier verifier = new TokenVerifier(new TokenVerifier.Config(RunningService.JWT_SECRET, null,
            Tokens.ISSUER, Tokens.AUDIENCE, "admin", "roles", Duration.ofMinutes(15)), Clock.systemUTC());

    @Test
    void validTokensNameTheCallerAndTheirRole() {
        Caller user = verifier.verify("Bearer " + Tokens.user("user-a"));
        assertEquals("user-a", user.userId());
        assertFalse(user.admin());
        assertTrue(verifier.verify("Bearer " + Tokens.admin("ops")).admin());
        assertEquals(403, assertThrows(ProblemException.class, user::requireAdmin).getStatus());
    }

    @Test
    void everythingElseIs401() {
        Instant soon = Instant.now().plusSeconds(300);
        List<String> refused = List.of(
                "",
                "Basic dXNlcjpwYXNz",
                "Bearer not-a-jwt",
                "Bearer " + Tokens.sign("another-secret-that-is-at-least-32-bytes!!", Tokens.claims("u", List.of(), soon).build()),
                "Bearer " + Tokens.sign(RunningService.JWT_SECRET, Tokens.claims("u", List.of(), Instant.now().minusSeconds(120)).build()),
                "Bearer " + Tokens.sign(RunningService.JWT_SECRET, Tokens.claims("u", List.of(), soon).audience("someone-else").build()),
                "Bearer " + Tokens.sign(RunningService.JWT_SECRET, Tokens.claims("u", List.of(), soon).issuer("https://evil.example").build()),
                "Bearer " + Tokens.sign(RunningService.JWT_SECRET, Tokens.claims("u", List.of(), Instant.now().plusSeconds(3600)).build()),
                "Bearer " + Tokens.sign(RunningService.JWT_SECRET, Tokens.claims(null, List.of(), soon).build()),
                "Bearer " + unsigned(Tokens.claims("u", List.of("admin"), soon).build().toString()));
        for (String header : refused) {
            ProblemException e = assertThrows(ProblemException.class, () -> verifier.verify(header.isEmpty() ? null : header), header);
            assertEquals(401, e.getStatus(), header);
        }
    }

    private static String unsigned(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
