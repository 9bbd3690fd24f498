package dev.branchyard.spec;

import java.util.Objects;

/**
 * How environments are reached from outside the cluster.
 *
 * @param host a host name pattern containing {@code {env}}, e.g. {@code {env}.preview.example.com}
 */
public record Ingress(String host) {

  public static final String ENV_PLACEHOLDER = "{env}";

  public Ingress {
    Objects.requireNonNull(host, "host");
    if (!host.contains(ENV_PLACEHOLDER)) {
      throw new IllegalArgumentException("host pattern lacks " + ENV_PLACEHOLDER + ": " + host);
    }
  }

  /** The host of one environment, e.g. {@code shop-pr-42.preview.example.com}. */
  public String hostFor(String environmentName) {
    return host.replace(ENV_PLACEHOLDER, environmentName);
  }
}
