package cloud.edgehive.auth;

import cloud.edgehive.problem.ProblemException;

/** Who is calling the API: the user id from the token's {@code sub}, and whether they are an admin. */
public record Caller(String userId, boolean admin) {

    /** Admin-only endpoints call this first: a 403 problem for everyone else. */
    public Caller requireAdmin() {
        if (!admin) {
            throw new ProblemException(403, "Forbidden", "This operation needs the admin role");
        }
        return this;
    }
}
