package dev.branchyard.web;

import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Environments kept in memory, for page tests that need no cluster: enabled only by test profiles
 * that list it ({@code getEnabledAlternatives}). Records what was asked for.
 */
@Alternative
@ApplicationScoped
public class PageEnvironmentRequests implements EnvironmentRequests {

  final Map<String, Environment> environments = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();

  public void put(Environment environment) {
    environments.put(environment.getMetadata().getName(), environment);
  }

  public void clear() {
    environments.clear();
    calls.clear();
  }

  @Override
  public Upserted upsert(Upsert request) {
    throw new UnsupportedOperationException("pages never upsert");
  }

  @Override
  public List<String> destroy(Selector selector, String reason, String requestedBy) {
    List<String> names = find(selector).stream().map(e -> e.getMetadata().getName()).toList();
    names.forEach(environments::remove);
    calls.add("destroy " + names + " by " + requestedBy);
    return names;
  }

  @Override
  public Instant extend(String name, Duration by, String requestedBy) {
    Environment environment = get(name).orElseThrow(() -> new EnvironmentNotFoundException(name));
    Instant until = Instant.parse("2030-01-01T00:00:00Z").plus(by);
    Map<String, String> annotations = new HashMap<>();
    if (environment.getMetadata().getAnnotations() != null) {
      annotations.putAll(environment.getMetadata().getAnnotations());
    }
    annotations.put(EXPIRES_AT_ANNOTATION, until.toString());
    environment.getMetadata().setAnnotations(annotations);
    calls.add("extend " + name + " by " + by + " by " + requestedBy);
    return until;
  }

  @Override
  public void rebuild(String name, Optional<String> component, String requestedBy) {
    get(name).orElseThrow(() -> new EnvironmentNotFoundException(name));
    calls.add("rebuild " + name + " " + component.orElse("*") + " by " + requestedBy);
  }

  @Override
  public Optional<Environment> get(String name) {
    return Optional.ofNullable(environments.get(name));
  }

  @Override
  public List<Environment> find(Selector selector) {
    List<Environment> found = new ArrayList<>();
    for (Environment e : environments.values()) {
      boolean matches =
          selector.specName().map(s -> s.equals(e.getSpec().specName())).orElse(true)
              && selector.repo().map(r -> r.equals(e.getSpec().trigger().repo())).orElse(true)
              && selector
                  .pullRequest()
                  .map(n -> n.equals(e.getSpec().trigger().pullRequest()))
                  .orElse(true);
      if (matches) {
        found.add(e);
      }
    }
    return found;
  }
}
