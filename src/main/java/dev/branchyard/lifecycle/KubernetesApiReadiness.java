package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the Kubernetes API answers: Kubernetes is Branchyard's database, so a replica
 * that cannot reach it must not receive traffic.
 */
@Readiness
@ApplicationScoped
public class KubernetesApiReadiness implements HealthCheck {

  static final String NAME = "kubernetes-api";

  private final KubernetesClient client;
  private final LifecycleConfig config;

  public KubernetesApiReadiness(KubernetesClient client, LifecycleConfig config) {
    this.client = client;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    var response =
        HealthCheckResponse.named(NAME).withData("server", client.getMasterUrl().toString());
    try {
      VersionInfo version =
          CompletableFuture.supplyAsync(client::getKubernetesVersion)
              .get(config.apiCheckTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return response.up().withData("version", version.getGitVersion()).build();
    } catch (TimeoutException e) {
      return response
          .down()
          .withData("error", "no answer within " + config.apiCheckTimeout())
          .build();
    } catch (ExecutionException e) {
      return response.down().withData("error", String.valueOf(e.getCause().getMessage())).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return response.down().withData("error", "interrupted").build();
    }
  }
}
