package cloud.edgehive.web;

import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromBool;
import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN;
import static software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import cloud.edgehive.store.Tables;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Dashboard sessions in DynamoDB, so any replica behind a load balancer knows every session and a
 * sign-out ends it everywhere at once. The cookie carries a random id; the table holds only its
 * SHA-256, so reading the table gives nobody a usable cookie. The same table remembers each sign-in
 * token already exchanged (also by hash, until the token expires), so a sign-in link works once.
 */
public class SessionStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public SessionStore(DynamoDbClient dynamo, Tables tables, Clock clock) {
        this.dynamo = dynamo;
        this.table = tables.sessions();
        this.clock = clock;
    }

    /** A new session for the user; returns it with its cookie value (the only copy of the raw id). */
    public WebSession create(String userId, boolean admin, Duration lifetime) {
        String id = random();
        WebSession session = new WebSession(id, userId, admin, random(), clock.instant().plus(lifetime));
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                "sessionKey", fromS(sessionKey(id)),
                "userId", fromS(userId),
                "admin", fromBool(admin),
                "csrf", fromS(session.csrf()),
                "createdAt", fromS(clock.instant().toString()),
                "expiresAt", fromN(Long.toString(session.expiresAt().getEpochSecond())))));
        return session;
    }

    /** The live session behind a cookie value: absent when unknown, signed out or expired (TTL deletes lazily). */
    public Optional<WebSession> find(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{43}")) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("sessionKey", fromS(sessionKey(id))))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Instant expires = Instant.ofEpochSecond(Long.parseLong(item.get("expiresAt").n()));
        if (!expires.isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new WebSession(id, item.get("userId").s(), Boolean.TRUE.equals(item.get("admin").bool()),
                item.get("csrf").s(), expires));
    }

    /** Ends the session now, on every replica (the item expires at once and TTL removes it later). */
    public void end(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{43}")) {
            return;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of("sessionKey", fromS(sessionKey(id))))
                    .updateExpression("SET expiresAt = :now")
                    .conditionExpression("attribute_exists(sessionKey)")
                    .expressionAttributeValues(Map.of(":now", fromN(Long.toString(clock.instant().getEpochSecond())))));
        } catch (ConditionalCheckFailedException unknown) {
            // nothing to end
        }
    }

    /**
     * Records that a sign-in token was exchanged; false when it already was (a reused link). Kept
     * until the token itself expires, after which the verifier refuses it anyway.
     */
    public boolean markExchanged(String token, Instant tokenExpires) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("sessionKey", fromS("t#" + sha256(token)),
                            "createdAt", fromS(clock.instant().toString()),
                            "expiresAt", fromN(Long.toString(tokenExpires.getEpochSecond() + 60))))
                    .conditionExpression("attribute_not_exists(sessionKey)"));
            return true;
        } catch (ConditionalCheckFailedException reused) {
            return false;
        }
    }

    static String sessionKey(String id) {
        return "s#" + sha256(id);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
