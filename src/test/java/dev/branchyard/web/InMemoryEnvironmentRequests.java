package dev.branchyard.web;

import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.ExtensionRefusedException;
import dev.branchyard.lifecycle.KubernetesEnvironmentRequests;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link EnvironmentRequests} in memory (a CDI alternative enabled by {@link
 * EnvironmentsApiTest.InMemoryPorts} only), for API tests that exercise the HTTP layer; the
 * Kubernetes adapter's own behaviour is covered by the ITs against the local platform.
 */
@Alternative
@ApplicationScoped
public class InMemoryEnvironmentRequests implements EnvironmentRequests {

  /** Extensions beyond this are refused, as a stack's max TTL would. */
  static final Duration MAX_EXTENSION = Duration.ofDays(1);

  private final Map<String, Environment> environments = new ConcurrentHashMap<>();
  private final List<String> rebuilds = new CopyOnWriteArrayList<>();
  private volatile Instant now = Instant.EPOCH;

  /** The environments by name (the beans are proxied: read state through methods). */
  Map<String, Environment> environments() {
    return environments;
  }

  List<String> rebuilds() {
    return rebuilds;
  }

  void reset(Instant now) {
    this.now = now;
    environments.clear();
    rebuilds.clear();
  }

  void add(Environment environment) {
    environments.put(environment.getMetadata().getName(), environment);
  }

  @Override
  public Upserted upsert(Upsert request) {
    String name = KubernetesEnvironmentRequests.nameFor(request.specName(), request.trigger());
    Environment existing = environments.get(name);
    Environment wanted =
        new Environment(
            name,
            new EnvironmentSpec(request.specName(), request.trigger(), request.ttl().orElse(null)));
    wanted.getMetadata().setCreationTimestamp(now.toString());
    if (existing == null) {
      environments.put(name, wanted);
      return new Upserted(name, Upserted.Outcome.CREATED);
    }
    boolean moved = !existing.getSpec().equals(wanted.getSpec());
    existing.setSpec(wanted.getSpec());
    return new Upserted(name, moved ? Upserted.Outcome.UPDATED : Upserted.Outcome.UNCHANGED);
  }

  @Override
  public List<String> destroy(Selector selector, String reason, String requestedBy) {
    throw new UnsupportedOperationException("the API destroys by name");
  }

  @Override
  public boolean destroy(String name, String reason, String requestedBy) {
    return environments.remove(name) != null;
  }

  @Override
  public Instant extend(String name, Duration by, String requestedBy) {
    if (!environments.containsKey(name)) {
      throw new EnvironmentNotFoundException(name);
    }
    if (by.compareTo(MAX_EXTENSION) > 0) {
      throw new ExtensionRefusedException(
          "extending by " + by + " would pass the stack's max; at most 1d is possible");
    }
    return now.plus(by);
  }

  @Override
  public void rebuild(String name, Optional<String> component, String requestedBy) {
    if (!environments.containsKey(name)) {
      throw new EnvironmentNotFoundException(name);
    }
    if (component.isPresent() && !component.get().equals("web")) {
      throw new IllegalArgumentException(
          "stack blog has no component '" + component.get() + "'; its components are web");
    }
    rebuilds.add(name + ":" + component.orElse("*") + ":" + requestedBy);
  }

  @Override
  public Optional<Environment> get(String name) {
    return Optional.ofNullable(environments.get(name));
  }

  @Override
  public List<Environment> find(Selector selector) {
    return environments.values().stream()
        .filter(e -> selector.specName().map(s -> s.equals(e.getSpec().specName())).orElse(true))
        .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
        .toList();
  }
}
