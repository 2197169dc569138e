package cloud.edgehive.api;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * The body of {@code POST /api/v1/nodes/provision}: nodes for a user without a payment (an
 * Enterprise deal, a trial). Only {@code userId} and {@code email} are required; the rest default
 * like a Checkout session that names none. The annotations put the rules {@link AdminProvisioning}
 * enforces into the OpenAPI document.
 */
@Schema(additionalProperties = AdditionalPropertiesValue.FALSE)
public record ProvisionRequest(
        @Schema(requiredMode = RequiredMode.REQUIRED, description = "The owner: the host application's user id (a token's sub)",
                pattern = "^[\\x21-\\x7E]{1,128}$", example = "user-42")
        String userId,
        @Schema(requiredMode = RequiredMode.REQUIRED, description = "Where the node's emails go", format = "email",
                maxLength = 254, example = "ops@example.com")
        String email,
        @Schema(description = "Plan name; defaults to plans.default", pattern = "^[a-z0-9][a-z0-9-]{0,31}$", example = "enterprise")
        String plan,
        @Schema(description = "AWS region; defaults to aws.region", pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", example = "us-east-1")
        String region,
        @Schema(description = "EC2 instance type; defaults to compute.default-instance-type",
                pattern = "^[a-z0-9-]{1,16}\\.[a-z0-9-]{1,16}$", example = "t4g.small")
        String instanceType,
        @Schema(description = "Root volume size; defaults to compute.default-storage-gb", minimum = "8", maximum = "16384", example = "10")
        Integer storageGb,
        @Schema(description = "How many nodes (at most api.provision.max-node-count); defaults to 1", minimum = "1", example = "1")
        Integer nodeCount) {
}
