package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a component's templates or chart are rendered with.
 *
 * @param environment the {@code Environment}'s name
 * @param namespace the environment's namespace
 * @param spec the stack's (spec) name
 * @param component the component being rendered
 * @param repo the component's repo, as the spec names it
 * @param commitSha the exact commit deployed for the component
 * @param image the component's built image reference, when it builds one
 * @param host the environment's ingress host, when the spec has an ingress pattern
 * @param services every component's service name in the namespace, by component name
 * @param values the stack's values merged with the component's (component wins), JSON-like
 */
@Pure
public record RenderContext(
    String environment,
    String namespace,
    String spec,
    String component,
    String repo,
    String commitSha,
    Optional<String> image,
    Optional<String> host,
    Map<String, String> services,
    Map<String, Object> values) {

  public RenderContext {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(commitSha, "commitSha");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(host, "host");
    services = Map.copyOf(services);
    values = DeepFreeze.map(values);
  }
}
