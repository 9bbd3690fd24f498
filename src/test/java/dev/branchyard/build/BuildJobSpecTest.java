package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.build.BuildRequest.SecretSource;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestBuildConfig.TestJob;
import dev.branchyard.testing.TestBuildConfig.TestLimits;
import dev.branchyard.testing.TestBuildConfig.TestRequests;
import dev.branchyard.testing.TestBuildConfig.TestResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BuildJobSpecTest {

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final ImageRef TARGET =
      new ImageRef("registry.example.com", "branchyard/acme/api", SHA + "-abcdef012345");
  private static final String SECRET_VALUE = "hunter2-not-in-the-job";

  private static BuildRequest request(Map<String, Arg> args) {
    return new BuildRequest("acme/api", SHA, "docker/Dockerfile", "app/./", args, TARGET);
  }

  private static Job render(TestBuildConfig config, BuildRequest request) {
    return new BuildJobSpec(config, "branchyard")
        .render(request, "https://github.com/acme/api.git");
  }

  private static Job render(BuildRequest request) {
    return render(TestBuildConfig.defaults(), request);
  }

  private static PodSpec pod(Job job) {
    return job.getSpec().getTemplate().getSpec();
  }

  private static Container build(Job job) {
    return pod(job).getContainers().get(0);
  }

  private static Container fetch(Job job) {
    return pod(job).getInitContainers().get(0);
  }

  private static Map<String, String> literalEnv(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void namesTheJobAfterTheImageAsADns1123LabelOfAtMost63Characters() {
    String name = BuildJobSpec.nameOf(TARGET);
    String longName =
        BuildJobSpec.nameOf(
            new ImageRef("r.example", "x/" + "Very_Long.Component-".repeat(10), "t"));
    String oddName = BuildJobSpec.nameOf(new ImageRef("r.example", "x/___", "t"));

    assertThat(name).startsWith("build-api-").hasSize("build-api-".length() + 12);
    assertThat(longName).hasSizeLessThanOrEqualTo(63).startsWith("build-very-long-component-");
    assertThat(oddName).hasSize("build-".length() + 12);
    assertThat(java.util.List.of(name, longName, oddName))
        .allSatisfy(n -> assertThat(n).matches(DNS_1123_LABEL).hasSizeLessThanOrEqualTo(63));
  }

  @Test
  void givesTheSameImageTheSameJobNameAndAnotherTagAnother() {
    ImageRef sameAgain = new ImageRef(TARGET.registry(), TARGET.repository(), TARGET.tag());
    ImageRef otherCommit =
        new ImageRef(TARGET.registry(), TARGET.repository(), "f" + TARGET.tag().substring(1));

    assertThat(BuildJobSpec.nameOf(sameAgain)).isEqualTo(BuildJobSpec.nameOf(TARGET));
    assertThat(BuildJobSpec.nameOf(otherCommit)).isNotEqualTo(BuildJobSpec.nameOf(TARGET));
  }

  @Test
  void labelsAndNamesTheJobInBranchyardsNamespace() {
    Job job = render(request(Map.of()));

    assertThat(job.getApiVersion()).isEqualTo("batch/v1");
    assertThat(job.getMetadata().getName()).isEqualTo(BuildJobSpec.nameOf(TARGET));
    assertThat(job.getMetadata().getNamespace()).isEqualTo("branchyard");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/part-of", "branchyard")
        .containsEntry("branchyard.dev/component", "image-build");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(BuildJobSpec.LABELS);
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry("branchyard.dev/image", TARGET.reference());
  }

  @Test
  void fetchesExactlyTheCommitFromTheRepoUrlThroughEnvironmentVariables() {
    Container fetch = fetch(render(request(Map.of())));

    assertThat(fetch.getName()).isEqualTo("fetch");
    assertThat(fetch.getImage()).isEqualTo("docker.io/alpine/git:v2.47.2");
    assertThat(fetch.getCommand()).hasSize(3).startsWith("/bin/sh", "-c");
    assertThat(fetch.getCommand().get(2))
        .contains("git fetch -q --depth 1 --no-tags origin \"$BRANCHYARD_COMMIT\"")
        .contains("checkout -q FETCH_HEAD")
        .doesNotContain(SHA, "github.com");
    assertThat(literalEnv(fetch))
        .containsEntry("BRANCHYARD_REPO_URL", "https://github.com/acme/api.git")
        .containsEntry("BRANCHYARD_COMMIT", SHA);
  }

  @Test
  void buildsWithBuildahFromNormalisedPathsAndPushesTheTarget() {
    Container build = build(render(request(Map.of())));

    assertThat(build.getName()).isEqualTo("build");
    assertThat(build.getImage()).isEqualTo("quay.io/buildah/stable:v1.38.1");
    assertThat(build.getCommand()).hasSize(4).startsWith("/bin/sh", "-c").endsWith("build");
    assertThat(build.getCommand().get(2))
        .contains("--storage-driver vfs bud --isolation chroot")
        .contains("-f \"$BRANCHYARD_DOCKERFILE\" -t \"$BRANCHYARD_TARGET\" \"$@\"")
        .contains("push --tls-verify=\"$BRANCHYARD_TLS_VERIFY\"")
        .doesNotContain(TARGET.reference());
    assertThat(literalEnv(build))
        .containsEntry("BRANCHYARD_DOCKERFILE", "docker/Dockerfile")
        .containsEntry("BRANCHYARD_CONTEXT", "app")
        .containsEntry("BRANCHYARD_TARGET", TARGET.reference())
        .containsEntry("BRANCHYARD_TLS_VERIFY", "true")
        .doesNotContainKey("REGISTRY_AUTH_FILE");
  }

  @Test
  void passesLiteralArgsAsArgumentsAndSecretArgsOnlyAsSecretKeyRefs() {
    Job job =
        render(
            request(
                Map.of(
                    "ZED", Arg.literal("z z"),
                    "TOKEN", Arg.secret(SECRET_VALUE, new SecretSource("build-secrets", "token")),
                    "ALPHA", Arg.literal("$(reboot)"))));
    Container build = build(job);

    assertThat(build.getArgs())
        .containsExactly(
            "--build-arg", "ALPHA=$(reboot)", "--build-arg", "TOKEN", "--build-arg", "ZED=z z");
    assertThat(build.getEnv())
        .filteredOn(e -> e.getName().equals("TOKEN"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("build-secrets");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
            });
    assertThat(Serialization.asJson(job)).doesNotContain(SECRET_VALUE);
  }

  @Test
  void mountsTheRegistrySecretReadOnlyAndPointsRegistryAuthFileAtIt() {
    Job job =
        render(
            TestBuildConfig.defaults()
                .withJob(TestJob.defaults().withRegistrySecret("registry-push")),
            request(Map.of()));
    Container build = build(job);

    assertThat(literalEnv(build))
        .containsEntry("REGISTRY_AUTH_FILE", "/etc/branchyard/registry-auth/auth.json");
    assertThat(build.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/etc/branchyard/registry-auth"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(pod(job).getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo("registry-push");
              assertThat(v.getSecret().getItems())
                  .singleElement()
                  .satisfies(
                      item -> {
                        assertThat(item.getKey()).isEqualTo(".dockerconfigjson");
                        assertThat(item.getPath()).isEqualTo("auth.json");
                      });
            });
    assertThat(fetch(job).getVolumeMounts())
        .noneMatch(m -> m.getMountPath().startsWith("/etc/branchyard"));
  }

  @Test
  void pushesWithoutTlsVerificationToRegistriesConfiguredInsecure() {
    Job job =
        render(
            TestBuildConfig.defaults().withRegistry("registry.example.com", true, null, null),
            request(Map.of()));

    assertThat(literalEnv(build(job))).containsEntry("BRANCHYARD_TLS_VERIFY", "false");
  }

  @Test
  void neverRetriesNeverRestartsAndEndsAtTheBuildTimeout() {
    Job job =
        render(TestBuildConfig.defaults().withTimeout(Duration.ofMinutes(30)), request(Map.of()));

    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(pod(job).getRestartPolicy()).isEqualTo("Never");
    assertThat(pod(job).getAutomountServiceAccountToken()).isFalse();
    assertThat(pod(job).getServiceAccountName()).isNull();
  }

  @Test
  void roundsASubSecondTimeoutUpToAWholeSecond() {
    Job job =
        render(TestBuildConfig.defaults().withTimeout(Duration.ofMillis(1500)), request(Map.of()));

    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(2L);
  }

  @Test
  void appliesConfiguredResourcesToBothContainersAndTheServiceAccount() {
    TestJob settings =
        TestJob.defaults()
            .withServiceAccount("builder")
            .withResources(
                new TestResources(
                    new TestRequests("1", "2Gi", Optional.of("10Gi")),
                    new TestLimits(Optional.of("2"), "3Gi", Optional.of("20Gi"))));
    Job job = render(TestBuildConfig.defaults().withJob(settings), request(Map.of()));

    assertThat(pod(job).getServiceAccountName()).isEqualTo("builder");
    for (Container container : java.util.List.of(fetch(job), build(job))) {
      assertThat(container.getResources().getRequests())
          .containsEntry("cpu", new Quantity("1"))
          .containsEntry("memory", new Quantity("2Gi"))
          .containsEntry("ephemeral-storage", new Quantity("10Gi"));
      assertThat(container.getResources().getLimits())
          .containsEntry("cpu", new Quantity("2"))
          .containsEntry("memory", new Quantity("3Gi"))
          .containsEntry("ephemeral-storage", new Quantity("20Gi"));
    }
  }

  @Test
  void leavesCpuUnlimitedByDefault() {
    Container build = build(render(request(Map.of())));

    assertThat(build.getResources().getLimits()).containsOnlyKeys("memory");
    assertThat(build.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
  }

  @Test
  void rejectsAResourceSettingThatIsNotAQuantity() {
    TestJob settings =
        TestJob.defaults()
            .withResources(
                new TestResources(
                    new TestRequests("lots", "1Gi", Optional.empty()),
                    new TestLimits(Optional.empty(), "4Gi", Optional.empty())));

    assertThatThrownBy(
            () -> new BuildJobSpec(TestBuildConfig.defaults().withJob(settings), "branchyard"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("branchyard.build.job.resources.requests.cpu")
        .hasMessageContaining("lots");
  }

  @Test
  void rejectsARequestAboveItsLimit() {
    TestJob settings =
        TestJob.defaults()
            .withResources(
                new TestResources(
                    new TestRequests("500m", "8Gi", Optional.empty()),
                    new TestLimits(Optional.empty(), "4Gi", Optional.empty())));

    assertThatThrownBy(
            () -> new BuildJobSpec(TestBuildConfig.defaults().withJob(settings), "branchyard"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests.memory (8Gi) is more than")
        .hasMessageContaining("limits.memory (4Gi)");
  }

  @Test
  void refusesADockerfileOutsideTheRepository() {
    BuildRequest escaping =
        new BuildRequest("acme/api", SHA, "../Dockerfile", ".", Map.of(), TARGET);
    BuildRequest absolute =
        new BuildRequest("acme/api", SHA, "Dockerfile", "/etc", Map.of(), TARGET);

    assertThat(BuildJobSpec.unbuildable(escaping))
        .get()
        .extracting(Failed::reason)
        .isEqualTo(Reason.DOCKERFILE);
    assertThat(BuildJobSpec.unbuildable(absolute))
        .get()
        .extracting(Failed::reason)
        .isEqualTo(Reason.DOCKERFILE);
    assertThat(BuildJobSpec.unbuildable(request(Map.of()))).isEmpty();
  }

  @Test
  void refusesASecretArgWithoutASecretToReadItFromAndNeverPrintsItsValue() {
    Optional<Failed> failed =
        BuildJobSpec.unbuildable(request(Map.of("TOKEN", Arg.secret(SECRET_VALUE))));

    assertThat(failed).get().extracting(Failed::reason).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.get().message()).contains("TOKEN").doesNotContain(SECRET_VALUE);
  }

  @Test
  void refusesSecretArgNamesThatWouldOverrideTheBuildContainersEnvironment() {
    SecretSource source = new SecretSource("s", "k");
    for (String name :
        java.util.List.of("PATH", "BRANCHYARD_TARGET", "REGISTRY_AUTH_FILE", "1X", "A-B")) {
      assertThat(BuildJobSpec.unbuildable(request(Map.of(name, Arg.secret("v", source)))))
          .as(name)
          .get()
          .extracting(Failed::reason)
          .isEqualTo(Reason.DOCKERFILE);
    }
    assertThat(BuildJobSpec.unbuildable(request(Map.of("NPM_TOKEN", Arg.secret("v", source)))))
        .isEmpty();
  }
}
