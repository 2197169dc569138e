package cloud.edgehive.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Local mode only ({@code auth.local-token.enabled}): a short-lived HS256 token for the local user,
 * signed with {@code auth.jwt.secret}, standing in for the host SaaS that issues them in production.
 * It goes into the sign-in link printed at start-up (and by the {@code sign-in} command) and passes
 * the same {@link TokenVerifier} as any other token. It names a plain user; the admin role only
 * when asked for ({@code sign-in --admin}).
 */
public class LocalToken {

    public record Config(String secret, String issuer, String audience, String roleClaim, String adminRole,
                         String subject, Duration lifetime) {
    }

    private final Config config;
    private final Clock clock;

    /**
     * The secret is checked when a token is minted, not here: the bean exists in every deployment
     * (the local-welcome route refers to it even when it never starts), and a JWKS-only one has no
     * HS secret at all.
     */
    public LocalToken(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Configured as the service configures it: auth.jwt.*, local.user-id, auth.local-token.ttl-seconds (capped by the verifier's maximum). */
    public static LocalToken from(cloud.edgehive.Settings settings, Clock clock) {
        long maxLifetime = settings.number("auth.jwt.max-lifetime-seconds", 900);
        return new LocalToken(new Config(settings.optional("auth.jwt.secret").orElse(null),
                settings.required("auth.jwt.issuer"), settings.required("auth.jwt.audience"),
                settings.text("auth.jwt.role-claim", "roles"), settings.text("auth.jwt.admin-role", "admin"),
                settings.text("local.user-id", "local-user"),
                Duration.ofSeconds(Math.min(maxLifetime, settings.number("auth.local-token.ttl-seconds", 900)))), clock);
    }

    /** A plain user's token (no admin role). */
    public String mint() {
        return mint(false);
    }

    public String mint(boolean admin) {
        if (config.secret() == null || config.secret().getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException("auth.local-token.enabled needs auth.jwt.secret (32+ bytes)");
        }
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(config.subject())
                .issuer(config.issuer())
                .audience(config.audience())
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(config.lifetime())))
                .claim(config.roleClaim(), admin ? List.of(config.adminRole()) : List.of())
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(config.secret().getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public Duration lifetime() {
        return config.lifetime();
    }
}
