package dev.branchyard.lifecycle;

import dev.branchyard.testing.LocalPlatform;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;

/** Namespaces, Environments, events and a Quartz scheduler for the clocks' integration tests. */
final class ClockFixtures {

  static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  private ClockFixtures() {}

  /** Creates a namespace named {@code prefix-<random>} with the admin client and returns it. */
  static String createNamespace(KubernetesClient admin, String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /** A client whose namespace (Branchyard's own, for the classes under test) is {@code ns}. */
  static KubernetesClient clientIn(LocalPlatform platform, String ns) {
    Config config = platform.clientConfig();
    config.setNamespace(ns);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A started in-memory Quartz scheduler of its own, as quarkus-quartz runs one. */
  static Scheduler startScheduler() throws SchedulerException {
    Properties properties = new Properties();
    properties.setProperty(
        StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "clocks-it-" + UUID.randomUUID());
    properties.setProperty("org.quartz.threadPool.threadCount", "2");
    properties.setProperty(
        StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
    properties.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    Scheduler scheduler = new StdSchedulerFactory(properties).getScheduler();
    scheduler.start();
    return scheduler;
  }

  /** Creates an Environment of stack {@code spec} and, when given, sets its status. */
  static Environment createEnvironment(
      KubernetesClient client, String name, String spec, EnvironmentStatus status) {
    var environments = client.resources(Environment.class).inNamespace(client.getNamespace());
    Environment created =
        environments
            .resource(
                new Environment(
                    name,
                    new EnvironmentSpec(
                        spec,
                        new Trigger(
                            TriggerSource.PullRequest,
                            "acme/web",
                            7,
                            "feature/x",
                            "main",
                            SHA,
                            "octocat",
                            false),
                        null)))
            .create();
    if (status == null) {
      return created;
    }
    created.setStatus(status);
    return environments.resource(created).updateStatus();
  }

  static EnvironmentStatus status(EnvironmentPhase phase, String namespace, Instant expiresAt) {
    return new EnvironmentStatus(
        1L,
        phase,
        null,
        namespace,
        null,
        List.of(),
        expiresAt == null ? null : expiresAt.toString(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        null);
  }

  /** The events of {@code ns} with {@code reason}. */
  static List<Event> events(KubernetesClient client, String ns, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }
}
