package cloud.edgehive.api;

import java.util.List;

/** The caller's nodes, newest first. An object rather than a bare array so fields can be added later. */
public record NodeList(List<NodeSummary> nodes) {
}
