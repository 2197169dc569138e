package cloud.edgehive.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import cloud.edgehive.harness.MutableClock;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.problem.ProblemException;

/** Local sign-in tokens pass the same verifier as the host's, for exactly their lifetime; roles and limits. */
class TokenRoundTripTest {

    private static final String SECRET = "a-local-secret-that-is-at-least-32-bytes";
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final TokenVerifier verifier = new TokenVerifier(new TokenVerifier.Config(SECRET, null, Tokens.ISSUER, Tokens.AUDIENCE,
            "admin", "roles", Duration.ofMinutes(15)), clock);

    private LocalToken local(String secret, Duration lifetime) {
        return new LocalToken(new LocalToken.Config(secret, Tokens.ISSUER, Tokens.AUDIENCE, "roles", "admin", "local-user", lifetime), clock);
    }

    @Test
    void aLocalTokenNamesTheLocalUserAndOnlyAnAdminOneCarriesTheRole() {
        LocalToken tokens = local(SECRET, Duration.ofMinutes(10));
        Caller user = verifier.verify("Bearer " + tokens.mint());
        assertEquals("local-user", user.userId());
        assertFalse(user.admin());
        assertFalse(verifier.verify("Bearer " + tokens.mint(false)).admin());
        assertTrue(verifier.verify("bearer " + tokens.mint(true)).admin(), "the scheme is case-insensitive");
        assertEquals(Duration.ofMinutes(10), tokens.lifetime());
    }

    @Test
    void aTokenLivesExactlyItsLifetimePlusTheAllowedSkew() {
        String token = local(SECRET, Duration.ofMinutes(10)).mint();
        clock.advance(Duration.ofMinutes(10).plusSeconds(29));
        assertEquals("local-user", verifier.verify("Bearer " + token).userId(), "within 30 s of skew");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(401, assertThrows(ProblemException.class, () -> verifier.verify("Bearer " + token)).getStatus());
    }

    @Test
    void aTokenMayNotLiveLongerThanTheMaximum() {
        assertEquals(401, assertThrows(ProblemException.class,
                () -> verifier.verify("Bearer " + local(SECRET, Duration.ofMinutes(16)).mint())).getStatus());
        assertEquals("local-user", verifier.verify("Bearer " + local(SECRET, Duration.ofMinutes(15).plusSeconds(30)).mint()).userId(),
                "the maximum plus the skew is allowed");
        assertEquals(401, assertThrows(ProblemException.class,
                () -> verifier.verify("Bearer " + local(SECRET, Duration.ofMinutes(15).plusSeconds(31)).mint())).getStatus());
    }

    @Test
    void rolesMayBeOneSpaceOrCommaSeparatedString() {
        Instant exp = clock.instant().plusSeconds(300);
        assertTrue(verifier.verify("Bearer " + Tokens.sign(SECRET, Tokens.claims("u", List.of(), exp).claim("roles", "user admin").build())).admin());
        assertTrue(verifier.verify("Bearer " + Tokens.sign(SECRET, Tokens.claims("u", List.of(), exp).claim("roles", "user,admin").build())).admin());
        assertFalse(verifier.verify("Bearer " + Tokens.sign(SECRET, Tokens.claims("u", List.of(), exp).claim("roles", "administrator").build())).admin());
        assertFalse(verifier.verify("Bearer " + Tokens.sign(SECRET, Tokens.claims("u", List.of(), exp).claim("roles", 7).build())).admin());
        assertEquals(401, assertThrows(ProblemException.class, () -> verifier.verify("Bearer " + Tokens.sign(SECRET,
                Tokens.claims(" ", List.of(), exp).build()))).getStatus(), "a blank subject");
    }

    @Test
    void minting_needsASecretLongEnoughForHs256() {
        assertThrows(IllegalStateException.class, () -> local(null, Duration.ofMinutes(5)).mint());
        assertTrue(assertThrows(IllegalStateException.class, () -> local("x".repeat(31), Duration.ofMinutes(5)).mint())
                .getMessage().contains("auth.jwt.secret (32+ bytes)"), "refused by the check, not by the signer");
        TokenVerifier exact = new TokenVerifier(new TokenVerifier.Config("x".repeat(32), null, Tokens.ISSUER, Tokens.AUDIENCE,
                "admin", "roles", Duration.ofMinutes(15)), clock);
        assertEquals("local-user", exact.verify("Bearer " + local("x".repeat(32), Duration.ofMinutes(5)).mint()).userId());
    }

    @Test
    void theLocalTokenIsConfiguredAsTheServiceConfiguresIt() {
        java.util.Properties config = new java.util.Properties();
        config.put("auth.jwt.secret", SECRET);
        config.put("auth.jwt.issuer", Tokens.ISSUER);
        config.put("auth.jwt.audience", Tokens.AUDIENCE);
        config.put("local.user-id", "ada");
        config.put("auth.jwt.max-lifetime-seconds", "600");
        config.put("auth.local-token.ttl-seconds", "900");
        org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(config);
        LocalToken tokens = LocalToken.from(new cloud.edgehive.Settings(context), clock);
        assertEquals(Duration.ofSeconds(600), tokens.lifetime(), "capped by the verifier's maximum");
        Caller admin = verifier.verify("Bearer " + tokens.mint(true));
        assertEquals("ada", admin.userId());
        assertTrue(admin.admin());
        config.put("auth.local-token.ttl-seconds", "120");
        assertEquals(Duration.ofSeconds(120), LocalToken.from(new cloud.edgehive.Settings(context), clock).lifetime());
    }

    @Test
    void aJwksDeploymentNeedsNoSharedSecret() {
        TokenVerifier jwks = new TokenVerifier(new TokenVerifier.Config(null, "http://127.0.0.1:9/jwks.json", Tokens.ISSUER,
                Tokens.AUDIENCE, "admin", "roles", Duration.ofMinutes(15)), clock);
        assertEquals(401, assertThrows(ProblemException.class, () -> jwks.verify("Bearer " + local(SECRET, Duration.ofMinutes(5)).mint()))
                .getStatus(), "an HS token is not accepted by an RS256 verifier");
    }

    @Test
    void theVerifierRefusesToStartWithoutAUsableKey() {
        assertThrows(IllegalStateException.class, () -> new TokenVerifier(new TokenVerifier.Config("short", null, Tokens.ISSUER,
                Tokens.AUDIENCE, "admin", "roles", Duration.ofMinutes(15)), clock));
        assertThrows(IllegalStateException.class, () -> new TokenVerifier(new TokenVerifier.Config(null, null, Tokens.ISSUER,
                Tokens.AUDIENCE, "admin", "roles", Duration.ofMinutes(15)), clock));
    }

    @Test
    void onlyAdminsPassRequireAdmin() {
        Caller admin = new Caller("ops", true);
        assertSame(admin, verifier.requireAdmin(admin));
        ProblemException refused = assertThrows(ProblemException.class, () -> verifier.requireAdmin(new Caller("ada", false)));
        assertEquals(403, refused.getStatus());
        assertEquals("Forbidden", refused.getTitle());
    }
}
