package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.BuildSpec;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The build beans are wired by Quarkus, and {@code branchyard.build.*} reads as documented. */
@QuarkusTest
@TestProfile(BuildConfigWiringTest.BuildSettings.class)
class BuildConfigWiringTest {

  public static class BuildSettings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.build.registry", "registry.example.com:5000",
          "branchyard.build.image-prefix", "branchyard",
          "branchyard.build.cache-ttl", "2m",
          "branchyard.build.registries.\"registry.example.com\".username", "robot",
          "branchyard.build.registries.\"registry.example.com\".password", "pw",
          "branchyard.build.registries.\"registry.lan:5000\".insecure", "true",
          "branchyard.build.logs.max-size", "64K");
    }
  }

  @Inject BuildConfig config;
  @Inject ImageRegistry registry;
  @Inject ImageNamer namer;
  @Inject ImageBuilder builder;
  @Inject BuildLogStore logs;

  @Test
  void wiresTheOciClientBehindThePortAndNamesImagesInTheConfiguredRegistry() {
    assertThat(registry).isInstanceOf(OciRegistryClient.class);
    assertThat(
            namer
                .name("acme/api", "a".repeat(40), new BuildSpec("Dockerfile", ".", Map.of()))
                .reference())
        .startsWith("registry.example.com:5000/branchyard/acme/api:" + "a".repeat(40) + "-");
  }

  @Test
  void wiresTheLocalBuildahBuilderBehindTheBuilderPortByDefault() {
    assertThat(config.backend()).isEqualTo(BuildConfig.Backend.LOCAL);
    assertThat(ClientProxy.unwrap(builder)).isInstanceOf(LocalBuildahBuilder.class);
  }

  @Test
  void wiresTheConfigMapStoreBehindTheBuildLogPort() {
    assertThat(logs).isInstanceOf(ConfigMapBuildLogStore.class);
  }

  @Test
  void readsLogSettingsWithSizesInKibibytes() {
    assertThat(config.logs().maxSize().asLongValue()).isEqualTo(64 * 1024);
    assertThat(config.logs().flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.logs().retryFor()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void readsPerRegistrySettingsAndKeepsDefaultsForUnsetKeys() {
    assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.cacheMaxEntries()).isEqualTo(1000);
    assertThat(config.timeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(config.local().workDir()).isEmpty();
    assertThat(config.job().gitImage()).isEqualTo("docker.io/alpine/git:v2.47.2");
    assertThat(config.job().buildahImage()).isEqualTo("quay.io/buildah/stable:v1.38.1");
    assertThat(config.job().ttlAfterFinished()).isEqualTo(Duration.ofHours(1));
    assertThat(config.job().pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.job().registrySecret()).isEmpty();
    assertThat(config.job().serviceAccount()).isEmpty();
    assertThat(config.job().resources().requests().cpu()).isEqualTo("500m");
    assertThat(config.job().resources().requests().memory()).isEqualTo("1Gi");
    assertThat(config.job().resources().limits().cpu()).isEmpty();
    assertThat(config.job().resources().limits().memory()).isEqualTo("4Gi");
    assertThat(config.registries()).containsOnlyKeys("registry.example.com", "registry.lan:5000");
    assertThat(config.registries().get("registry.example.com").username()).contains("robot");
    assertThat(config.registries().get("registry.example.com").insecure()).isFalse();
    assertThat(config.registries().get("registry.lan:5000").insecure()).isTrue();
    assertThat(config.registries().get("registry.lan:5000").password()).isEmpty();
  }
}
