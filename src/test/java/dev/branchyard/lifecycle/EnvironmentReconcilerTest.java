package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a pass of the pipeline counts as superseded by a newer request. */
class EnvironmentReconcilerTest {

  @Test
  void doesNotCutAPassShortForItsOwnStatusWrite() {
    Environment working = environment(3L, null);
    // The queued event is this pass's own status write: same generation in the cache.
    Context<Environment> context = context(true, Optional.of(environment(3L, null)));

    assertThat(EnvironmentReconciler.supersededInCache(working, context)).isFalse();
  }

  @Test
  void cutsAPassShortWhenANewerGenerationIsQueued() {
    Environment working = environment(3L, null);
    Context<Environment> context = context(true, Optional.of(environment(4L, null)));

    assertThat(EnvironmentReconciler.supersededInCache(working, context)).isTrue();
  }

  @Test
  void cutsAPassShortWhenTheEnvironmentIsBeingDeleted() {
    Environment working = environment(3L, null);
    Context<Environment> context =
        context(true, Optional.of(environment(3L, "2026-12-02T08:00:00Z")));

    assertThat(EnvironmentReconciler.supersededInCache(working, context)).isTrue();
  }

  @Test
  void cutsAPassShortWhenTheEnvironmentIsGoneFromTheCache() {
    assertThat(
            EnvironmentReconciler.supersededInCache(
                environment(3L, null), context(true, Optional.empty())))
        .isTrue();
  }

  @Test
  void isNotSupersededWithoutAQueuedEvent() {
    Environment working = environment(3L, null);
    Context<Environment> context = context(false, Optional.of(environment(4L, null)));

    assertThat(EnvironmentReconciler.supersededInCache(working, context)).isFalse();
  }

  private static Environment environment(Long generation, String deletionTimestamp) {
    Environment environment = new Environment();
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName("shop-pr-1");
    metadata.setNamespace("branchyard");
    metadata.setGeneration(generation);
    metadata.setDeletionTimestamp(deletionTimestamp);
    environment.setMetadata(metadata);
    return environment;
  }

  /** A Context answering only the two questions the reconciler asks of it. */
  @SuppressWarnings("unchecked")
  private static Context<Environment> context(boolean imminent, Optional<Environment> cached) {
    IndexedResourceCache<Environment> cache =
        (IndexedResourceCache<Environment>)
            Proxy.newProxyInstance(
                EnvironmentReconcilerTest.class.getClassLoader(),
                new Class<?>[] {IndexedResourceCache.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("get")) {
                    ResourceID id = (ResourceID) args[0];
                    assertThat(id.getName()).isEqualTo("shop-pr-1");
                    return cached;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    return (Context<Environment>)
        Proxy.newProxyInstance(
            EnvironmentReconcilerTest.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "isNextReconciliationImminent" -> imminent;
                  case "getPrimaryCache" -> cache;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
