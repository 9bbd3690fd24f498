package dev.branchyard.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real Kubernetes control plane and OCI registry the integration tests run against.
 *
 * <p>Resolved once per JVM, in this order: an external cluster named by {@code
 * BRANCHYARD_TEST_KUBECONFIG} (+ {@code BRANCHYARD_TEST_REGISTRY}); a local platform already
 * running in the state directory (e.g. from {@code make platform-up}, left running afterwards);
 * otherwise {@code scripts/local-platform.sh up} is run here and {@code down} when the JVM exits.
 */
public final class LocalPlatform {

  private static LocalPlatform instance;

  private final Path projectDir;
  private final Path kubeconfig;
  private final String registry;
  private final Optional<Path> stateDir;

  private LocalPlatform(
      Path projectDir, Path kubeconfig, String registry, Optional<Path> stateDir) {
    this.projectDir = projectDir;
    this.kubeconfig = kubeconfig;
    this.registry = registry;
    this.stateDir = stateDir;
  }

  /** The platform for this test run, started on first use. */
  public static synchronized LocalPlatform get() {
    if (instance == null) {
      instance = resolve(TestSettings.fromEnvironment());
    }
    return instance;
  }

  private static LocalPlatform resolve(TestSettings settings) {
    if (settings.externalKubeconfig().isPresent()) {
      String registry =
          settings
              .externalRegistry()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "BRANCHYARD_TEST_KUBECONFIG is set but BRANCHYARD_TEST_REGISTRY is not:"
                              + " set it to the host:port of a registry the tests may push to"));
      return new LocalPlatform(
          settings.projectDir(), settings.externalKubeconfig().get(), registry, Optional.empty());
    }
    Path stateDir = settings.stateDir();
    Path script = settings.projectDir().resolve("scripts/local-platform.sh");
    boolean alreadyRunning =
        Files.exists(stateDir.resolve("env")) && run(script, "status", stateDir, true) == 0;
    if (!alreadyRunning) {
      if (run(script, "up", stateDir, false) != 0) {
        throw new IllegalStateException(
            "scripts/local-platform.sh up failed; its output is above and the component logs are"
                + " under "
                + stateDir);
      }
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> run(script, "down", stateDir, false), "platform-down"));
    }
    Map<String, String> env = readEnvFile(stateDir.resolve("env"));
    return new LocalPlatform(
        settings.projectDir(),
        Path.of(required(env, "KUBECONFIG", stateDir)),
        required(env, "BRANCHYARD_REGISTRY", stateDir),
        Optional.of(stateDir));
  }

  private static int run(Path script, String command, Path stateDir, boolean quiet) {
    var builder =
        new ProcessBuilder(
            List.of("bash", script.toString(), command, "--state-dir", stateDir.toString()));
    if (quiet) {
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    } else {
      builder.inheritIO();
    }
    try {
      return builder.start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script + " " + command, e);
    }
  }

  private static Map<String, String> readEnvFile(Path file) {
    try {
      Map<String, String> values = new HashMap<>();
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith("#")) {
          values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the platform's env file " + file, e);
    }
  }

  private static String required(Map<String, String> env, String key, Path stateDir) {
    String value = env.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(key + " missing from " + stateDir.resolve("env"));
    }
    return value;
  }

  public Path projectDir() {
    return projectDir;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The registry as {@code host:port}, plain HTTP. */
  public String registry() {
    return registry;
  }

  /** Where the local platform keeps its data and component logs; empty for external clusters. */
  public Optional<Path> stateDir() {
    return stateDir;
  }

  /** The client configuration for the platform's cluster, with admin rights. */
  public Config clientConfig() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
    }
  }

  /** A new admin client; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(clientConfig()).build();
  }
}
