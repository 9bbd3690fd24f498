package dev.branchyard.spec;

import java.util.Map;

/**
 * Per-environment resource bounds, applied to its namespace. Values are Kubernetes quantities as
 * written ({@code 500m}, {@code 2Gi}, {@code 20}).
 *
 * @param quota ResourceQuota {@code spec.hard}, e.g. {@code requests.cpu: "4"}; empty for none
 * @param defaultRequest LimitRange container {@code defaultRequest}; empty for none
 * @param defaultLimit LimitRange container {@code default} (YAML key {@code default}); empty for
 *     none
 */
public record Resources(
    Map<String, String> quota,
    Map<String, String> defaultRequest,
    Map<String, String> defaultLimit) {

  public Resources {
    quota = Map.copyOf(quota);
    defaultRequest = Map.copyOf(defaultRequest);
    defaultLimit = Map.copyOf(defaultLimit);
  }

  public static Resources none() {
    return new Resources(Map.of(), Map.of(), Map.of());
  }
}
