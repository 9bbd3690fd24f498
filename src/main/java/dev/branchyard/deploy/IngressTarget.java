package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Service (and port) an environment's Ingress routes {@code /} to.
 *
 * @param service the Service's name in the environment's namespace
 * @param port the Service port's number
 */
@Pure
public record IngressTarget(String service, int port) {

  public IngressTarget {
    Objects.requireNonNull(service, "service");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("not a port number: " + port);
    }
  }

  /** The first Service among {@code manifests} that has a numbered port, with its first port. */
  public static Optional<IngressTarget> firstService(List<Manifest> manifests) {
    for (Manifest manifest : manifests) {
      if (manifest.kind().equals("Service")
          && manifest.object().get("spec") instanceof Map<?, ?> spec
          && spec.get("ports") instanceof List<?> ports
          && !ports.isEmpty()
          && ports.get(0) instanceof Map<?, ?> port
          && port.get("port") instanceof Number number) {
        return Optional.of(new IngressTarget(manifest.name(), number.intValue()));
      }
    }
    return Optional.empty();
  }
}
