package dev.branchyard.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Writes build statuses to the {@code status} subresource with JSON merge patches, one at a time on
 * its own thread, so the order of writes is the order they were made and callers holding locks
 * never wait for the API server. A field that is null in the new status is removed.
 */
public final class KubernetesBuildStatusWriter implements BuildStatusWriter, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(KubernetesBuildStatusWriter.class);

  private final KubernetesClient client;
  private final ObjectMapper json =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.ALWAYS);
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "branchyard-build-status");
            thread.setDaemon(true);
            return thread;
          });

  public KubernetesBuildStatusWriter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void write(ImageBuild build, ImageBuildStatus status) {
    String namespace = build.getMetadata().getNamespace();
    String name = build.getMetadata().getName();
    String uid = build.getMetadata().getUid();
    String patch;
    try {
      // The uid precondition keeps a late write from landing on a new build of the same name.
      patch = json.writeValueAsString(Map.of("metadata", Map.of("uid", uid), "status", status));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the status of " + name, e);
    }
    writer.execute(() -> patch(namespace, name, status, patch));
  }

  private void patch(String namespace, String name, ImageBuildStatus status, String patch) {
    try {
      client
          .resources(ImageBuild.class)
          .inNamespace(namespace)
          .withName(name)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || isOtherUid(e)) {
        LOG.debugf("ImageBuild %s/%s is gone; its status %s is dropped", namespace, name, status);
      } else {
        LOG.warnf(
            "cannot write the status %s of ImageBuild %s/%s: %s",
            status.phase(), namespace, name, e.getMessage());
      }
    }
  }

  // A build deleted and created again under the same name: metadata.uid is immutable.
  private static boolean isOtherUid(KubernetesClientException e) {
    return e.getCode() == 422 && String.valueOf(e.getMessage()).contains("metadata.uid");
  }

  /** Writes what was already asked for, waiting up to {@code grace}. */
  public void close(Duration grace) {
    writer.shutdown();
    try {
      writer.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
