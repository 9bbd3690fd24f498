package dev.branchyard.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.build.BuildArg;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.build.ImageBuildSpec;
import dev.branchyard.build.ImageBuildStatus;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.RefKind;
import dev.branchyard.lifecycle.ResolvedRef;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The generated CRDs in {@code k8s/crds/} install on a real API server and behave as designed. */
@ExtendWith(LocalPlatformExtension.class)
class BranchyardCrdsIT {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static String namespace;

  @BeforeAll
  static void installCrds(LocalPlatform platform, KubernetesClient client) {
    ClusterManifests.installCrds(client, platform.projectDir());
    namespace = "crds-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @Test
  void environmentStatusIsWrittenThroughTheStatusSubresourceOnly(KubernetesClient client) {
    var environments = client.resources(Environment.class).inNamespace(namespace);
    environments.resource(new Environment("shop-pr-42", specFor(SHA))).create();

    Environment created = environments.withName("shop-pr-42").get();
    created.setStatus(
        new EnvironmentStatus(
            created.getMetadata().getGeneration(),
            EnvironmentPhase.Resolving,
            null,
            "by-shop-pr-42",
            null,
            List.of(),
            "2026-11-22T12:00:00Z",
            List.of(
                new ResolvedRef("api", "acme/api", RefKind.Branch, "feature/x", SHA, "PR branch")),
            List.of(),
            List.of(),
            List.of(),
            "resolving refs",
            "rev-1"));
    environments.resource(created).updateStatus();

    Environment stored = environments.withName("shop-pr-42").get();
    assertThat(stored.getStatus().phase()).isEqualTo(EnvironmentPhase.Resolving);
    assertThat(stored.getStatus().resolvedRefs())
        .extracting(ResolvedRef::refName)
        .containsExactly("feature/x");
    assertThat(stored.getSpec().trigger().pullRequest()).isEqualTo(42);
    // A status change is not a spec change: the generation stays put.
    assertThat(stored.getMetadata().getGeneration())
        .isEqualTo(created.getMetadata().getGeneration());
  }

  @Test
  void apiServerRejectsAnEnvironmentWhoseHeadShaIsNotAFullCommit(KubernetesClient client) {
    var environments = client.resources(Environment.class).inNamespace(namespace);

    assertThatThrownBy(
            () -> environments.resource(new Environment("bad-sha", specFor("main"))).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.trigger.headSha");
  }

  @Test
  void imageBuildRoundTripsSpecAndStatus(KubernetesClient client) {
    var builds = client.resources(ImageBuild.class).inNamespace(namespace);
    var spec =
        new ImageBuildSpec(
            "http://git.example/acme/api.git",
            SHA,
            "Dockerfile",
            ".",
            List.of(
                new BuildArg("VERSION", "1.2.3", null),
                new BuildArg("NPM_TOKEN", null, new BuildArg.SecretKeyRef("npm", "token"))),
            "127.0.0.1:5000/acme/api:" + SHA + "-abc123");
    builds.resource(new ImageBuild("acme-api-abc123", spec)).create();

    ImageBuild created = builds.withName("acme-api-abc123").get();
    created.setStatus(
        new ImageBuildStatus(
            1L,
            ImageBuildPhase.Skipped,
            null,
            null,
            null,
            "sha256:abc",
            null,
            0,
            "AlreadyInRegistry",
            null,
            List.of()));
    builds.resource(created).updateStatus();

    ImageBuild stored = builds.withName("acme-api-abc123").get();
    assertThat(stored.getSpec()).isEqualTo(spec);
    assertThat(stored.getStatus().phase()).isEqualTo(ImageBuildPhase.Skipped);
  }

  private static EnvironmentSpec specFor(String headSha) {
    return new EnvironmentSpec(
        "shop",
        new Trigger(
            TriggerSource.PullRequest,
            "acme/web",
            42,
            "feature/x",
            "main",
            headSha,
            "octocat",
            false),
        "8h");
  }
}
