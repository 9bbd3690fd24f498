package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Writes an environment's status through the status subresource, never over newer state: every
 * write is locked to the resource version the reconcile last saw. When someone else changed the
 * resource in between, the write is retried on the fresh copy if its generation (spec) is still the
 * one being worked on, and refused with {@link SupersededException} if the spec moved on, so a
 * reconcile for an older head SHA stops instead of overwriting newer state.
 *
 * <p>The timeline entries a write adds are also recorded as Kubernetes Events on the environment
 * ({@code kubectl describe environment}); failing to record an event never fails the write.
 */
@ApplicationScoped
public class EnvironmentStatusWriter {

  private static final Logger LOG = Logger.getLogger(EnvironmentStatusWriter.class);
  private static final int MAX_CONFLICTS = 5;

  private final KubernetesClient client;
  private final Clock clock;

  public EnvironmentStatusWriter(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A newer spec generation exists: this reconcile's work is stale. */
  public static final class SupersededException extends RuntimeException {
    SupersededException(String name, long working, long live) {
      super(
          "environment "
              + name
              + " moved from generation "
              + working
              + " to "
              + live
              + " while it was being reconciled");
    }
  }

  /**
   * Writes {@code draft} if it differs from what {@code environment} carries.
   *
   * @return the environment as stored afterwards (use it for the next write)
   */
  Environment write(Environment environment, StatusDraft draft) {
    EnvironmentStatus next = draft.build();
    if (!draft.changedSince(environment.getStatus())) {
      return environment;
    }
    Environment current = environment;
    for (int attempt = 0; ; attempt++) {
      Environment copy = copyWithStatus(current, next);
      try {
        Environment stored =
            client
                .resources(Environment.class)
                .inNamespace(current.getMetadata().getNamespace())
                .resource(copy)
                .updateStatus();
        recordEvents(stored, draft);
        return stored;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= MAX_CONFLICTS) {
          throw e;
        }
        Environment live =
            client
                .resources(Environment.class)
                .inNamespace(current.getMetadata().getNamespace())
                .withName(current.getMetadata().getName())
                .get();
        if (live == null) {
          throw new SupersededException(current.getMetadata().getName(), draft.generation(), -1);
        }
        long liveGeneration = Objects.requireNonNullElse(live.getMetadata().getGeneration(), 0L);
        if (liveGeneration != draft.generation()) {
          throw new SupersededException(
              current.getMetadata().getName(), draft.generation(), liveGeneration);
        }
        current = live;
      }
    }
  }

  private static Environment copyWithStatus(Environment source, EnvironmentStatus status) {
    Environment copy = new Environment();
    copy.setMetadata(source.getMetadata());
    copy.setSpec(source.getSpec());
    copy.setStatus(status);
    return copy;
  }

  private void recordEvents(Environment environment, StatusDraft draft) {
    for (TimelineEvent event : draft.addedEvents()) {
      try {
        String name =
            environment.getMetadata().getName()
                + "."
                + Long.toHexString(clock.millis())
                + Integer.toHexString(event.hashCode() & 0xfff);
        client
            .v1()
            .events()
            .inNamespace(environment.getMetadata().getNamespace())
            .resource(
                new EventBuilder()
                    .withNewMetadata()
                    .withName(name.toLowerCase(Locale.ROOT))
                    .endMetadata()
                    .withInvolvedObject(
                        new ObjectReferenceBuilder()
                            .withApiVersion(environment.getApiVersion())
                            .withKind(environment.getKind())
                            .withName(environment.getMetadata().getName())
                            .withNamespace(environment.getMetadata().getNamespace())
                            .withUid(environment.getMetadata().getUid())
                            .build())
                    .withType(event.type())
                    .withReason(event.reason())
                    .withMessage(event.message())
                    .withFirstTimestamp(event.time())
                    .withLastTimestamp(event.time())
                    .withCount(1)
                    .withNewSource()
                    .withComponent("branchyard")
                    .endSource()
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        LOG.debugf("could not record event %s: %s", event.reason(), e.getMessage());
      }
    }
  }
}
