package dev.branchyard.lifecycle;

/**
 * One entry of an environment's timeline.
 *
 * @param time when it happened (RFC 3339)
 * @param type {@code Normal} or {@code Warning}, as Kubernetes events
 * @param reason a short CamelCase reason, e.g. {@code ImagesBuilt}
 * @param message what happened, for people
 */
public record TimelineEvent(String time, String type, String reason, String message) {}
