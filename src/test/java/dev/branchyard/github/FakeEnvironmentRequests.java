package dev.branchyard.github;

import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNames;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.KubernetesEnvironmentRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link EnvironmentRequests} in memory, latest-wins by {@code requestedAt} as the Kubernetes
 * adapter is; {@link #failing} makes every call throw, as when the API server is down.
 */
final class FakeEnvironmentRequests implements EnvironmentRequests {

  final Map<String, Environment> environments = new LinkedHashMap<>();
  final List<String> destroyed = new ArrayList<>();
  volatile boolean failing;

  @Override
  public synchronized Upserted upsert(Upsert request) {
    check();
    String name = KubernetesEnvironmentRequests.nameFor(request.specName(), request.trigger());
    Environment existing = environments.get(name);
    EnvironmentSpec wanted = new EnvironmentSpec(request.specName(), request.trigger(), null);
    if (existing == null) {
      Environment created = new Environment(name, wanted);
      created.getMetadata().setLabels(new LinkedHashMap<>());
      created.getMetadata().getLabels().put(SPEC_LABEL, request.specName());
      created.getMetadata().getLabels().put(REPO_LABEL, request.trigger().repo());
      created.getMetadata().setAnnotations(new LinkedHashMap<>());
      created
          .getMetadata()
          .getAnnotations()
          .put(REQUESTED_AT_ANNOTATION, request.requestedAt().toString());
      environments.put(name, created);
      return new Upserted(name, Upserted.Outcome.CREATED);
    }
    Instant recorded =
        Instant.parse(existing.getMetadata().getAnnotations().get(REQUESTED_AT_ANNOTATION));
    if (request.requestedAt().isBefore(recorded)) {
      return new Upserted(name, Upserted.Outcome.STALE);
    }
    existing
        .getMetadata()
        .getAnnotations()
        .put(REQUESTED_AT_ANNOTATION, request.requestedAt().toString());
    if (wanted.equals(existing.getSpec())) {
      return new Upserted(name, Upserted.Outcome.UNCHANGED);
    }
    existing.setSpec(wanted);
    return new Upserted(name, Upserted.Outcome.UPDATED);
  }

  @Override
  public synchronized List<String> destroy(Selector selector, String reason, String requestedBy) {
    check();
    List<String> names = find(selector).stream().map(e -> e.getMetadata().getName()).toList();
    names.forEach(environments::remove);
    destroyed.addAll(names);
    return names;
  }

  @Override
  public Instant extend(String name, Duration by, String requestedBy) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void rebuild(String name, Optional<String> component, String requestedBy) {
    throw new UnsupportedOperationException();
  }

  @Override
  public synchronized Optional<Environment> get(String name) {
    check();
    return Optional.ofNullable(environments.get(name));
  }

  @Override
  public synchronized List<Environment> find(Selector selector) {
    check();
    return environments.values().stream()
        .filter(e -> selector.specName().map(e.getSpec().specName()::equals).orElse(true))
        .filter(e -> selector.repo().map(e.getSpec().trigger().repo()::equals).orElse(true))
        .filter(
            e ->
                selector
                    .pullRequest()
                    .map(n -> n.equals(e.getSpec().trigger().pullRequest()))
                    .orElse(true))
        .toList();
  }

  /** What chatops' ok-to-test adds after its upsert. */
  synchronized void approve(String name, String login) {
    environments
        .get(name)
        .getMetadata()
        .getAnnotations()
        .put(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, login);
  }

  /** The environment of stack {@code shop} for a PR of acme/shop-web. */
  synchronized Optional<Environment> shop(int number) {
    return Optional.ofNullable(
        environments.get(EnvironmentNames.forPullRequest("shop", "acme/shop-web", number)));
  }

  private void check() {
    if (failing) {
      throw new IllegalStateException("the Kubernetes API server is unreachable");
    }
  }
}
