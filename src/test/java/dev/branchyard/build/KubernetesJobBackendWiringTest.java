package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code branchyard.build.backend=kubernetes-job} puts {@link KubernetesJobBuilder} behind the
 * builder port, and {@code branchyard.build.job.*} reads as documented. No cluster is contacted:
 * building the backend needs none.
 */
@QuarkusTest
@TestProfile(KubernetesJobBackendWiringTest.JobBackend.class)
class KubernetesJobBackendWiringTest {

  public static class JobBackend implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.ofEntries(
          Map.entry("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9"),
          Map.entry("quarkus.kubernetes-client.namespace", "branchyard-wiring"),
          Map.entry("branchyard.build.backend", "kubernetes-job"),
          Map.entry("branchyard.build.job.git-image", "registry.lan/git:1"),
          Map.entry("branchyard.build.job.buildah-image", "registry.lan/buildah:1"),
          Map.entry("branchyard.build.job.ttl-after-finished", "10m"),
          Map.entry("branchyard.build.job.registry-secret", "registry-push"),
          Map.entry("branchyard.build.job.service-account", "builder"),
          Map.entry("branchyard.build.job.resources.requests.memory", "2Gi"),
          Map.entry("branchyard.build.job.resources.limits.cpu", "4"),
          Map.entry("branchyard.build.job.resources.limits.ephemeral-storage", "30Gi"));
    }
  }

  @Inject BuildConfig config;
  @Inject ImageBuilder builder;

  @Test
  void wiresTheJobBuilderBehindTheBuilderPort() {
    assertThat(config.backend()).isEqualTo(BuildConfig.Backend.KUBERNETES_JOB);
    assertThat(ClientProxy.unwrap(builder)).isInstanceOf(KubernetesJobBuilder.class);
  }

  @Test
  void rendersJobsFromTheConfiguredSettingsInTheClientsNamespace() {
    Job job =
        new BuildJobSpec(config, "branchyard-wiring")
            .render(
                new BuildRequest(
                    "acme/api",
                    "a".repeat(40),
                    "Dockerfile",
                    ".",
                    Map.of(),
                    new ImageRef("registry.lan", "acme/api", "t")),
                "https://github.com/acme/api.git");
    var pod = job.getSpec().getTemplate().getSpec();

    assertThat(config.job().ttlAfterFinished()).isEqualTo(Duration.ofMinutes(10));
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    assertThat(pod.getServiceAccountName()).isEqualTo("builder");
    assertThat(pod.getInitContainers().get(0).getImage()).isEqualTo("registry.lan/git:1");
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("registry.lan/buildah:1");
    assertThat(pod.getContainers().get(0).getResources().getRequests())
        .containsOnlyKeys("cpu", "memory");
    assertThat(pod.getContainers().get(0).getResources().getLimits())
        .containsOnlyKeys("cpu", "memory", "ephemeral-storage");
    assertThat(pod.getVolumes()).anyMatch(v -> v.getSecret() != null);
  }
}
