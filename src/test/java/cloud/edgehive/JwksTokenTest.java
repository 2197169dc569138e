package cloud.edgehive;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import cloud.edgehive.auth.TokenVerifier;
import cloud.edgehive.harness.Tokens;
import cloud.edgehive.problem.ProblemException;

/** RS256 tokens checked against keys fetched from the issuer's JWKS URL (served by WireMock). */
class JwksTokenTest {

    private static final Instant SOON = Instant.now().plusSeconds(300);
    private static WireMockServer issuer;
    private static RSAKey key;
    private static TokenVerifier verifier;

    @BeforeAll
    static void start() throws JOSEException {
        key = new RSAKeyGenerator(2048).keyID("issuer-key-1").generate();
        issuer = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        issuer.start();
        issuer.stubFor(get(urlEqualTo("/.well-known/jwks.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody(new JWKSet(key.toPublicJWK()).toString())));
        verifier = new TokenVerifier(new TokenVerifier.Config(null, issuer.baseUrl() + "/.well-known/jwks.json",
                Tokens.ISSUER, Tokens.AUDIENCE, "admin", "roles", Duration.ofMinutes(15)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        issuer.stop();
    }

    @Test
    void aTokenSignedByTheIssuersKeyNamesTheCaller() throws JOSEException {
        assertEquals("user-rs", verifier.verify("Bearer " + rs256(key, Tokens.claims("user-rs", List.of(), SOON).build())).userId());
        assertTrue(verifier.verify("Bearer " + rs256(key, Tokens.claims("ops", List.of("admin"), SOON).build())).admin());
        assertFalse(issuer.getAllServeEvents().isEmpty(), "the keys came from the JWKS URL");
    }

    @Test
    void otherKeysAlgorithmsAndClaimsAre401() throws JOSEException {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("issuer-key-1").generate();
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("issuer-key-1").build(),
                Tokens.claims("u", List.of("admin"), SOON).build());
        // The classic confusion attack: the public key used as an HMAC secret.
        confused.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        List<String> refused = List.of(
                rs256(impostor, Tokens.claims("u", List.of("admin"), SOON).build()),
                confused.serialize(),
                rs256(key, Tokens.claims("u", List.of(), Instant.now().minusSeconds(120)).build()),
                rs256(key, Tokens.claims("u", List.of(), SOON).audience("someone-else").build()),
                rs256(key, Tokens.claims("u", List.of(), Instant.now().plusSeconds(3600)).build()));
        for (String token : refused) {
            assertEquals(401, assertThrows(ProblemException.class, () -> verifier.verify("Bearer " + token)).getStatus());
        }
    }

    private static String rs256(RSAKey signingKey, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(signingKey));
        return jwt.serialize();
    }
}
