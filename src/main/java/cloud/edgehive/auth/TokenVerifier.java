package cloud.edgehive.auth;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;

import org.apache.camel.Header;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import cloud.edgehive.problem.ProblemException;

/**
 * Verifies the API's bearer tokens, issued by the host SaaS: HS256 with a shared secret, or RS256
 * with keys from a JWKS URL. {@code exp}, {@code iss}, {@code aud} and {@code sub} are required;
 * a token may not live longer than the configured maximum; unsigned tokens ({@code alg: none}) and
 * any other algorithm are refused. Every refusal is the same 401, so it tells an attacker nothing.
 */
public class TokenVerifier {

    /** Settings from {@code auth.jwt.*}. */
    public record Config(String secret, String jwksUrl, String issuer, String audience, String adminRole,
                         String roleClaim, Duration maxLifetime) {
    }

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Config config;
    private final Clock clock;

    public TokenVerifier(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        if (config.jwksUrl() != null) {
            try {
                JWKSource<SecurityContext> keys = JWKSourceBuilder.create(URI.create(config.jwksUrl()).toURL()).retrying(true).build();
                processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
            } catch (MalformedURLException e) {
                throw new IllegalStateException("auth.jwt.jwks-url is not a URL: " + config.jwksUrl(), e);
            }
        } else if (config.secret() != null) {
            byte[] secret = config.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException("auth.jwt.secret must be at least 32 bytes for HS256");
            }
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)));
        } else {
            throw new IllegalStateException("Set auth.jwt.secret (HS256) or auth.jwt.jwks-url (RS256)");
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                config.audience(),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                Set.of("exp", "sub", "iss", "aud")) {
            @Override
            public Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(30);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The caller behind an {@code Authorization: Bearer <jwt>} header; a 401 problem otherwise. */
    public Caller verify(@Header("Authorization") String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("A bearer token is required");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(authorization.substring(7).trim(), null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw unauthorized("The token is invalid or expired");
        }
        Date expires = claims.getExpirationTime();
        if (expires.toInstant().isAfter(clock.instant().plus(config.maxLifetime()).plusSeconds(30))) {
            throw unauthorized("The token lives longer than " + config.maxLifetime().toMinutes() + " minutes");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw unauthorized("The token has no subject");
        }
        return new Caller(subject, hasRole(claims.getClaim(config.roleClaim()), config.adminRole()));
    }

    /** For routes: the caller, if admin; a 403 problem otherwise. */
    public Caller requireAdmin(Caller caller) {
        return caller.requireAdmin();
    }

    private static boolean hasRole(Object claim, String role) {
        if (claim instanceof String single) {
            return List.of(single.split("[ ,]")).contains(role);
        }
        if (claim instanceof Collection<?> many) {
            return many.contains(role);
        }
        return false;
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail);
    }
}
