package dev.branchyard.lifecycle;

import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a controller replica built by {@link LifecycleHarness} needs from its surroundings: a {@link
 * LifecycleFixture} in the ITs, command-line arguments in {@link ControllerProcess}.
 */
interface ControllerSetup {

  /** The cluster; each replica builds its own client from it. */
  Config clientConfig();

  /** Branchyard's namespace: the one the replica watches. */
  String home();

  /** Put before every environment namespace. */
  String namespacePrefix();

  SpecCatalog catalog();

  /** The templates directory ({@code templates/} of a deployment). */
  Path templates();

  TestGitConfig gitConfig();

  TestBuildConfig buildConfig();

  /** The registry images are named for, {@code host:port}. */
  String registry();

  /**
   * How long the registry client trusts an answer: zero in ITs (every check asks the registry), the
   * application's default ({@code branchyard.build.cache-ttl}) for benchmarks.
   */
  Duration registryCacheTtl();
}
