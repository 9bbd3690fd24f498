package dev.branchyard.web;

import dev.branchyard.lifecycle.Environment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Changes of the Environments in Branchyard's namespace, for the pages' live updates: one informer
 * per replica, started when the first page subscribes (so an application without a cluster, or a
 * test that opens no page, never watches), its changes broadcast to every open page.
 */
@ApplicationScoped
public class EnvironmentWatch {

  private static final Logger LOG = Logger.getLogger(EnvironmentWatch.class);

  /** How long the first subscriber waits for the informer's initial list. */
  private static final long SYNC_TIMEOUT_SECONDS = 15;

  /**
   * One change.
   *
   * @param name the environment's name
   * @param environment the environment now, empty once it is gone
   */
  public record Change(String name, Optional<Environment> environment) {}

  private final KubernetesClient client;
  private final BroadcastProcessor<Change> changes = BroadcastProcessor.create();
  private SharedIndexInformer<Environment> informer;

  public EnvironmentWatch(KubernetesClient client) {
    this.client = client;
  }

  /** Every change from now on, for as long as the subscriber stays. */
  public Multi<Change> changes() {
    start();
    // A page that cannot keep up keeps the newest changes; each one carries the whole resource.
    return changes.onOverflow().buffer(1024);
  }

  /** The environments as the informer knows them now. */
  public List<Environment> current() {
    return start().getStore().list();
  }

  private synchronized SharedIndexInformer<Environment> start() {
    if (informer != null) {
      return informer;
    }
    SharedIndexInformer<Environment> created =
        client.resources(Environment.class).inNamespace(client.getNamespace()).runnableInformer(0);
    created.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Environment environment) {
            publish(environment);
          }

          @Override
          public void onUpdate(Environment before, Environment after) {
            publish(after);
          }

          @Override
          public void onDelete(Environment environment, boolean finalStateUnknown) {
            changes.onNext(new Change(environment.getMetadata().getName(), Optional.empty()));
          }
        });
    try {
      created.start().toCompletableFuture().get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      created.stop();
      throw new IllegalStateException("interrupted while starting to watch environments", e);
    } catch (ExecutionException | TimeoutException e) {
      created.stop();
      throw new IllegalStateException(
          "cannot watch environments in namespace "
              + client.getNamespace()
              + " for live updates: "
              + (e.getCause() == null ? e : e.getCause()).getMessage(),
          e);
    }
    LOG.debugf("watching environments in %s for the pages", client.getNamespace());
    informer = created;
    return informer;
  }

  private void publish(Environment environment) {
    changes.onNext(new Change(environment.getMetadata().getName(), Optional.of(environment)));
  }

  @PreDestroy
  synchronized void stop() {
    if (informer != null) {
      informer.stop();
      informer = null;
    }
  }
}
