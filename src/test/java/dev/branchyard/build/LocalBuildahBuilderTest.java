package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.git.GitAccessException;
import dev.branchyard.git.GitCheckout;
import dev.branchyard.testing.TestBuildConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@link LocalBuildahBuilder} decided before buildah runs (no buildah needed). */
class LocalBuildahBuilderTest {

  @TempDir Path workDir;
  private final List<String> lines = new ArrayList<>();

  private LocalBuildahBuilder builder(GitCheckout git) {
    return new LocalBuildahBuilder(
        git, TestBuildConfig.defaults().withLocalWorkDir(workDir), Clock.systemUTC());
  }

  private static BuildRequest request(String dockerfile) {
    return new BuildRequest(
        "acme/api",
        "a".repeat(40),
        dockerfile,
        ".",
        Map.of(),
        new ImageRef("localhost:5000", "acme/api", "t"));
  }

  private static void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "x");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void aFailedCheckoutIsAnInfrastructureFailureAndLeavesNoBuildDirectory() {
    GitCheckout unreachable =
        (repo, commit, target) -> {
          write(target.resolve("half-written"));
          throw new GitAccessException(
              repo, GitAccessException.Reason.NETWORK, "cannot connect", null);
        };

    BuildResult result = builder(unreachable).build(request("Dockerfile"), lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(((Failed) result).message()).contains("cannot connect");
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertThat(workDir.resolve("containers.conf"))
        .content()
        .contains("network_config_dir = \"" + workDir.resolve("cni") + "\"");
  }

  @Test
  void aDockerfileOutsideTheRepositoryIsRefusedWithoutRunningBuildah() {
    GitCheckout empty = (repo, commit, target) -> write(target.resolve("README"));

    BuildResult result = builder(empty).build(request("../../etc/Dockerfile"), lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).reason()).isEqualTo(Reason.DOCKERFILE);
    // Only Branchyard's own line about the checkout: buildah never ran.
    assertThat(lines).singleElement().asString().startsWith("[branchyard] checked out");
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
  }

  @Test
  void anInterruptDuringTheCheckoutCancelsTheBuildAndKeepsTheInterruptFlag() {
    GitCheckout interrupted =
        (repo, commit, target) -> {
          write(target.resolve("README"));
          Thread.currentThread().interrupt();
        };

    BuildResult result = builder(interrupted).build(request("Dockerfile"), lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).reason()).isEqualTo(Reason.CANCELLED);
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
  }
}
