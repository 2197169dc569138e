package cloud.edgehive.harness;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Bearer tokens as the host SaaS would issue them, for the tests' API calls. */
public final class Tokens {

    public static final String ISSUER = "https://app.example.com";
    public static final String AUDIENCE = "edge-hive-cloud";

    private Tokens() {
    }

    public static String user(String userId) {
        return sign(RunningService.JWT_SECRET, claims(userId, List.of(), Instant.now().plusSeconds(600)).build());
    }

    public static String admin(String userId) {
        return sign(RunningService.JWT_SECRET, claims(userId, List.of("admin"), Instant.now().plusSeconds(600)).build());
    }

    public static JWTClaimsSet.Builder claims(String userId, List<String> roles, Instant expires) {
        return new JWTClaimsSet.Builder().subject(userId).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(new Date()).expirationTime(Date.from(expires)).claim("roles", roles);
    }

    public static String sign(String secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
