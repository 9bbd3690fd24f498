package dev.branchyard.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives integration tests the real local platform: inject {@link LocalPlatform} or an admin {@link
 * KubernetesClient} (one per test class, closed afterwards). The platform starts once per test run.
 * When a test fails, the cluster's state and the control plane's log tails are written under {@code
 * target/it-dumps/}.
 */
public class LocalPlatformExtension implements ParameterResolver, TestWatcher {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(LocalPlatformExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LocalPlatform.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == LocalPlatform.class) {
      return LocalPlatform.get();
    }
    return client(context);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getDisplayName();
    LocalPlatform platform = LocalPlatform.get();
    new ClusterDump(platform, client(context))
        .writeTo(platform.projectDir().resolve("target/it-dumps").resolve(sanitize(name)));
  }

  private static KubernetesClient client(ExtensionContext context) {
    ExtensionContext classContext =
        context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
    return classContext
        .getStore(STORE)
        .getOrComputeIfAbsent(
            "client",
            key -> new ClosingClient(LocalPlatform.get().newClient()),
            ClosingClient.class)
        .client();
  }

  private static String sanitize(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** Closes the client when its test class is done. */
  private record ClosingClient(KubernetesClient client) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
    }
  }
}
