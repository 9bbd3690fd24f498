package dev.branchyard.build;

import dev.branchyard.git.GitCheckout;
import dev.branchyard.git.GitConfig;
import dev.branchyard.git.RepoLocator;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the build classes from {@link BuildConfig}, so they stay free of CDI and config. */
@ApplicationScoped
public class BuildBeans {

  // Singleton: the namer is immutable and final, so it needs no client proxy.
  @Produces
  @Singleton
  ImageNamer imageNamer(BuildConfig config) {
    return new ImageNamer(config.registry(), config.imagePrefix().orElse(""));
  }

  /**
   * The builder backend {@code branchyard.build.backend} selects. Only that backend's collaborators
   * are looked up, so the local backend needs no cluster and the Job backend no buildah on the
   * host.
   */
  @Produces
  @ApplicationScoped
  ImageBuilder imageBuilder(
      BuildConfig config,
      Clock clock,
      Instance<GitCheckout> git,
      Instance<KubernetesClient> kubernetes,
      Instance<ImageRegistry> registry,
      Instance<GitConfig> gitConfig) {
    return switch (config.backend()) {
      case LOCAL -> new LocalBuildahBuilder(git.get(), config, clock);
      case KUBERNETES_JOB ->
          new KubernetesJobBuilder(
              kubernetes.get(), registry.get(), new RepoLocator(gitConfig.get()), config, clock);
    };
  }

  /** Lets the local backend finish removing pushed images from its storage. */
  void closeImageBuilder(@Disposes ImageBuilder builder) throws Exception {
    if (builder instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  @Produces
  @Singleton
  KubernetesBuildStatusWriter statusWriter(KubernetesClient client) {
    return new KubernetesBuildStatusWriter(client);
  }

  void closeStatusWriter(@Disposes KubernetesBuildStatusWriter writer) {
    writer.close();
  }

  @Produces
  @Singleton
  BuildSecrets buildSecrets(KubernetesClient client) {
    return new KubernetesBuildSecrets(client);
  }

  /** The queue and its decisions, shared by the ImageBuild controller and the status page. */
  @Produces
  @Singleton
  BuildCoordinator coordinator(
      ImageRegistry registry,
      ImageBuilder builder,
      KubernetesBuildStatusWriter statuses,
      BuildSecrets secrets,
      BuildLogStore logs,
      BuildConfig config,
      Clock clock) {
    return new BuildCoordinator(
        registry,
        builder,
        statuses,
        secrets,
        logs,
        new BuildCoordinator.Settings(
            config.concurrency(),
            config.maxAttempts(),
            config.retryDelay(),
            config.registryRetryDelay()),
        clock);
  }

  void closeCoordinator(@Disposes BuildCoordinator coordinator) {
    coordinator.close();
  }
}
