package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.testing.LocalPlatformResource;
import dev.branchyard.testing.LocalRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application as it runs: Quarkus starts java-operator-sdk with the ImageBuild controller wired
 * from configuration, and an ImageBuild whose image is already in a real registry ends {@code
 * Skipped} without a build.
 */
@QuarkusTest
@TestProfile(ImageBuildOperatorIT.WithControllers.class)
class ImageBuildOperatorIT {

  private static final String SHA = "89abcdef0123456789abcdef0123456789abcdef";

  /** The local platform, and the operator started as in production. */
  public static class WithControllers implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LocalPlatformResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.operator-sdk.start-operator", "true");
    }
  }

  private static LocalRegistry registry;

  @Inject KubernetesClient client;

  @BeforeAll
  static void startRegistry() throws IOException {
    registry = LocalRegistry.start();
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void anImageAlreadyInTheRegistryIsSkipped() throws IOException {
    String image = registry.address() + "/branchyard/acme/api:" + SHA + "-0a1b2c";
    String digest = registry.pushScratchImage(image, "already built\n");
    String name = ImageBuildRequests.nameFor(image);
    var builds = client.resources(ImageBuild.class).inNamespace(client.getNamespace());
    builds
        .resource(
            new ImageBuild(name, new ImageBuildSpec("acme/api", SHA, null, null, null, image)))
        .create();
    try {
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () -> {
                ImageBuild build = builds.withName(name).get();
                assertThat(build.getStatus()).isNotNull();
                assertThat(build.getStatus().phase()).isEqualTo(ImageBuildPhase.Skipped);
                assertThat(build.getStatus().digest()).isEqualTo(digest);
              });
    } finally {
      builds.withName(name).delete();
    }
  }
}
