package cloud.edgehive.web;

import java.time.Instant;

import cloud.edgehive.auth.Caller;

/** A signed-in browser: who, whether an admin, the token its forms must carry, and when it ends. */
public record WebSession(String id, String userId, boolean admin, String csrf, Instant expiresAt) {

    /** The same caller the API's bearer token gives, so the UI goes through the same access checks. */
    public Caller caller() {
        return new Caller(userId, admin);
    }
}
