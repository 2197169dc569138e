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
 * signed with {@code auth.jwt.secret}, printed at start-up so the dashboard and API can be used
 * without a host SaaS. It passes the same {@link TokenVerifier} as any other token.
 */
public class LocalToken {

    public record Config(String secret, String issuer, String audience, String roleClaim, String adminRole,
                         String subject, Duration lifetime) {
    }

    private final Config config;
    private final Clock clock;

    public LocalToken(Config config, Clock clock) {
        if (config.secret() == null || config.secret().getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException("auth.local-token.enabled needs auth.jwt.secret (32+ bytes)");
        }
        this.config = config;
        this.clock = clock;
    }

    public String mint() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(config.subject())
                .issuer(config.issuer())
                .audience(config.audience())
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(config.lifetime())))
                .claim(config.roleClaim(), List.of(config.adminRole()))
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
