package dev.branchyard.testing;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tests find the project and the platform. Read from the environment in this one place.
 *
 * @param projectDir the project root (failsafe passes it as {@code branchyard.project.dir})
 * @param stateDir where the local platform keeps its state ({@code branchyard.platform.state-dir},
 *     default {@code target/local-platform})
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
            .orElse(projectDir.resolve("target/local-platform"))
            .toAbsolutePath();
    return new TestSettings(
        projectDir,
        stateDir,
        nonBlank(System.getenv("BRANCHYARD_TEST_KUBECONFIG")).map(Path::of),
        nonBlank(System.getenv("BRANCHYARD_TEST_REGISTRY")));
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
