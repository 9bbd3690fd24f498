package dev.branchyard.testing;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tests find the project and the platform. Read from the environment in this one place.
 *
 * @param projectDir the project root (failsafe passes it as {@code branchyard.project.dir})
 * @param stateDir where the local platform keeps its state ({@code branchyard.platform.state-dir},
 *     default {@code $TMPDIR/branchyard-it-<hash of the project dir>})
 * @param externalKubeconfig a cluster to use instead of the local platform
 * @param externalRegistry the registry to use with that cluster
 */
record TestSettings(
    Path projectDir,
    Path stateDir,
    Optional<Path> externalKubeconfig,
    Optional<String> externalRegistry) {

  static TestSettings fromEnvironment() {
    Path projectDir =
        Path.of(System.getProperty("branchyard.project.dir", System.getProperty("user.dir")))
            .toAbsolutePath();
    Path stateDir =
        Optional.ofNullable(System.getProperty("branchyard.platform.state-dir"))
            .or(() -> Optional.ofNullable(System.getenv("BRANCHYARD_STATE_DIR")))
            .map(Path::of)
            .orElse(defaultStateDir(projectDir))
            .toAbsolutePath();
    return new TestSettings(
        projectDir,
        stateDir,
        nonBlank(System.getenv("BRANCHYARD_TEST_KUBECONFIG")).map(Path::of),
        nonBlank(System.getenv("BRANCHYARD_TEST_REGISTRY")));
  }

  /**
   * Short and outside the checkout: the hollow node's unix sockets live under the state dir, and
   * socket paths must stay below 108 bytes (scripts/lib.sh allows at most 47 for the dir).
   */
  private static Path defaultStateDir(Path projectDir) {
    String hash = Integer.toHexString(projectDir.toString().hashCode());
    return Path.of(System.getProperty("java.io.tmpdir"), "branchyard-it-" + hash);
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
