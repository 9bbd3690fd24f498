package dev.branchyard.lifecycle;

import dev.branchyard.build.BuildCoordinator;
import dev.branchyard.build.ConfigMapBuildLogStore;
import dev.branchyard.build.EnvironmentImages;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildReconciler;
import dev.branchyard.build.ImageBuildRequests;
import dev.branchyard.build.ImageNamer;
import dev.branchyard.build.KubernetesBuildSecrets;
import dev.branchyard.build.KubernetesBuildStatusWriter;
import dev.branchyard.build.LocalBuildahBuilder;
import dev.branchyard.build.OciRegistryClient;
import dev.branchyard.deploy.ApiDiscovery;
import dev.branchyard.deploy.ComponentRenderer;
import dev.branchyard.deploy.HelmChartRenderer;
import dev.branchyard.deploy.KubernetesReadiness;
import dev.branchyard.deploy.ManifestApplier;
import dev.branchyard.deploy.ManifestRenderer;
import dev.branchyard.deploy.NamespaceLayout;
import dev.branchyard.deploy.ServerSideApplier;
import dev.branchyard.deploy.TemplateDirectory;
import dev.branchyard.git.JGitCheckout;
import dev.branchyard.git.JGitRefs;
import dev.branchyard.git.RefResolver;
import dev.branchyard.git.StackResolver;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import dev.branchyard.testing.TestLifecycleConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Branchyard controller replica built by hand as the application wires it (ImageBuild and
 * Environment controllers on java-operator-sdk, the local buildah backend, the real registry
 * client, server-side apply), watching a fixture's home namespace: for ITs and benchmarks that need
 * the controllers without a Quarkus application. {@link #close()} is "the replica dies": its
 * operator stops and nothing else is cleaned up.
 */
final class LifecycleHarness implements AutoCloseable {

  static final Duration LEASE = Duration.ofSeconds(4);

  private final KubernetesClient client;
  private final Operator operator;
  private final BuildCoordinator coordinator;
  private final KubernetesBuildStatusWriter statuses;
  private final ConfigMapBuildLogStore logs;
  private final Optional<ElectedLeadership> leadership;
  private boolean closed;

  private LifecycleHarness(
      KubernetesClient client,
      Operator operator,
      BuildCoordinator coordinator,
      KubernetesBuildStatusWriter statuses,
      ConfigMapBuildLogStore logs,
      Optional<ElectedLeadership> leadership) {
    this.client = client;
    this.operator = operator;
    this.coordinator = coordinator;
    this.statuses = statuses;
    this.logs = logs;
    this.leadership = leadership;
  }

  static LifecycleHarness start(LifecycleFixture fixture, String identity, boolean elected) {
    return start(fixture, identity, elected, TestLifecycleConfig.defaults());
  }

  static LifecycleHarness start(
      ControllerSetup fixture, String identity, boolean elected, TestLifecycleConfig config) {
    return start(fixture, identity, elected, config, ControllerInstruments.NONE);
  }

  /**
   * @param fixture a {@link LifecycleFixture}, or the arguments of a {@link ControllerProcess}
   * @param instruments wraps the replica's parts (e.g. to time them); {@link
   *     ControllerInstruments#NONE} for none
   */
  static LifecycleHarness start(
      ControllerSetup fixture,
      String identity,
      boolean elected,
      TestLifecycleConfig config,
      ControllerInstruments instruments) {
    return start(
        fixture, identity, elected, config, Clock.systemUTC(), environment -> {}, instruments);
  }

  /**
   * A replica whose controller reads {@code clock} (e.g. a {@code MutableClock} shared with a
   * {@link TtlClock}) and reports moved expiries to {@code expiries}.
   */
  static LifecycleHarness start(
      ControllerSetup fixture,
      String identity,
      boolean elected,
      TestLifecycleConfig config,
      Clock clock,
      ExpirySchedule expiries) {
    return start(fixture, identity, elected, config, clock, expiries, ControllerInstruments.NONE);
  }

  private static LifecycleHarness start(
      ControllerSetup fixture,
      String identity,
      boolean elected,
      TestLifecycleConfig config,
      Clock clock,
      ExpirySchedule expiries,
      ControllerInstruments instruments) {
    // Each replica its own client, as separate processes would have.
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(fixture.clientConfig()).build();
    TestBuildConfig buildConfig = fixture.buildConfig();
    TestGitConfig gitConfig = fixture.gitConfig();
    OciRegistryClient registry =
        new OciRegistryClient(buildConfig.withCacheTtl(fixture.registryCacheTtl()), clock);
    KubernetesBuildStatusWriter statuses = new KubernetesBuildStatusWriter(client);
    ConfigMapBuildLogStore logs = new ConfigMapBuildLogStore(client, buildConfig, clock);
    BuildCoordinator coordinator =
        new BuildCoordinator(
            registry,
            new LocalBuildahBuilder(new JGitCheckout(gitConfig), buildConfig, clock),
            statuses,
            new KubernetesBuildSecrets(client),
            logs,
            new BuildCoordinator.Settings(2, 2, Duration.ofSeconds(1), Duration.ofSeconds(1)),
            clock);
    ApiDiscovery discovery = new ApiDiscovery(client, clock);
    ManifestApplier applier = instruments.applier(new ServerSideApplier(client, discovery));
    ManifestRenderer manifests = new ManifestRenderer();
    NamespaceLayout layout =
        new NamespaceLayout(
            fixture.namespacePrefix(),
            Optional.empty(),
            Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
    EnvironmentStatusWriter writer = instruments.writer(client, clock);
    EnvironmentNamespaces namespaces =
        instruments.namespaces(new KubernetesEnvironmentNamespaces(client, layout, applier));
    EnvironmentPipeline pipeline =
        new EnvironmentPipeline(
            fixture.catalog(),
            new StackResolver(new RefResolver(new JGitRefs(gitConfig), gitConfig, clock)),
            new ImageNamer(fixture.registry(), "branchyard/"),
            new EnvironmentImages(instruments.registry(registry), new ImageBuildRequests(client)),
            client,
            namespaces,
            instruments.renderer(
                new ComponentRenderer(
                    new TemplateDirectory(fixture.templates()),
                    manifests,
                    new HelmChartRenderer(manifests),
                    new JGitCheckout(gitConfig))),
            applier,
            instruments.readiness(new KubernetesReadiness(client, discovery)),
            writer,
            new EnvironmentAdmission(
                client, fixture.catalog(), new EventRecorder(client, clock), config),
            expiries,
            config,
            clock);
    Optional<ElectedLeadership> leadership =
        elected ? Optional.of(new ElectedLeadership(identity)) : Optional.empty();
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(instruments.metrics());
              leadership.ifPresent(
                  l ->
                      o.withLeaderElectionConfiguration(
                          l.configuration(
                              "branchyard",
                              fixture.home(),
                              LEASE,
                              Duration.ofSeconds(3),
                              Duration.ofMillis(500))));
            });
    operator.register(
        new ImageBuildReconciler(coordinator), o -> o.settingNamespaces(fixture.home()));
    operator.register(
        new EnvironmentReconciler(pipeline, namespaces, writer, config, clock),
        o -> o.settingNamespaces(fixture.home()));
    operator.start();
    return new LifecycleHarness(client, operator, coordinator, statuses, logs, leadership);
  }

  boolean isLeader() {
    return leadership.map(ElectedLeadership::isLeader).orElse(true);
  }

  /** Stops this replica (as if its process died): in-flight work is abandoned. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      operator.stop();
    } finally {
      coordinator.close();
      statuses.close();
      logs.close();
      client.close();
    }
  }

  /**
   * Removes the finalizers controllers put on the fixture's resources (no controller is left to
   * remove them), so its namespace can be deleted.
   */
  static void releaseFinalizers(KubernetesClient client, String namespace) {
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> type :
        List.<Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>>>of(
            Environment.class, ImageBuild.class)) {
      for (var resource : client.resources(type).inNamespace(namespace).list().getItems()) {
        if (resource.getMetadata().getFinalizers() != null
            && !resource.getMetadata().getFinalizers().isEmpty()) {
          resource.getMetadata().setFinalizers(List.of());
          try {
            client.resource(resource).update();
          } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            // gone or changed meanwhile: the namespace deletion handles it
          }
        }
      }
    }
  }
}
