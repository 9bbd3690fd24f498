package dev.branchyard.build;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of image naming, the registry client and the builders, prefix {@code branchyard.build}.
 */
@ConfigMapping(prefix = "branchyard.build")
public interface BuildConfig {

  /**
   * The registry built images are pushed to and looked up in, as {@code host[:port]}. The default
   * is the conventional local registry; set it in any real installation.
   */
  @WithDefault("localhost:5000")
  String registry();

  /**
   * A path put before every image's repository path, e.g. {@code branchyard} gives {@code
   * <registry>/branchyard/acme/api}. Unset: images go directly under the repo's {@code owner/name}.
   */
  Optional<String> imagePrefix();

  /** How long to wait for a registry (or its token service) to accept a connection. */
  @WithDefault("5s")
  Duration connectTimeout();

  /** How long one request to a registry or its token service may take, once connected. */
  @WithDefault("30s")
  Duration requestTimeout();

  /**
   * How long a "this tag exists, with this digest" answer is reused. Only positive answers are
   * kept: Branchyard's tags are content-addressed, so an existing tag keeps its digest, while a
   * missing one may be pushed at any moment.
   */
  @WithDefault("5m")
  Duration cacheTtl();

  /** How many positive answers (and bearer tokens) are kept at most; the oldest go first. */
  @WithDefault("1000")
  int cacheMaxEntries();

  /**
   * Settings per registry, keyed by {@code host:port} or bare host (e.g. {@code
   * branchyard.build.registries."ghcr.io".username}); a {@code host:port} key wins over the bare
   * host. Registries without an entry are spoken to anonymously, over HTTPS unless they are {@code
   * localhost} or {@code 127.0.0.1}.
   */
  Map<String, Registry> registries();

  /**
   * How long building and pushing one image may take, from the start of {@code buildah bud} to the
   * end of the push. A build still running then is killed (with all its processes) and fails with
   * reason {@code TIMEOUT}. With the {@code kubernetes-job} backend it is the Job's {@code
   * activeDeadlineSeconds}, counted from the Job's start, so it also covers pulling the images and
   * fetching the commit.
   */
  @WithDefault("30m")
  Duration timeout();

  /**
   * How many builds run at once; the others wait in a first-in, first-out queue whose position each
   * waiting build shows in its status.
   */
  @WithDefault("2")
  int concurrency();

  /**
   * How many times a build runs when it fails for infrastructure reasons (git, registry, buildah or
   * the node failing). A failing Dockerfile or a timeout is never retried.
   */
  @WithDefault("3")
  int maxAttempts();

  /** The delay before the second attempt of a build; it doubles for each further attempt. */
  @WithDefault("30s")
  Duration retryDelay();

  /**
   * How long to wait before asking an unreachable registry (or for a missing build-argument Secret)
   * again; the build stays {@code Pending} with the error meanwhile.
   */
  @WithDefault("15s")
  Duration registryRetryDelay();

  /**
   * Which backend builds images: {@code local} runs buildah on the Branchyard host (development,
   * tests, {@code make run}); {@code kubernetes-job} runs each build as a Job in Branchyard's own
   * namespace (production).
   */
  @WithDefault("local")
  Backend backend();

  /** Settings of the {@code local} backend: buildah processes on the Branchyard host. */
  Local local();

  /**
   * Settings of the {@code kubernetes-job} backend: one Job per build in Branchyard's namespace.
   */
  Job job();

  /** The image builder backends; configured as {@code local} and {@code kubernetes-job}. */
  enum Backend {
    /** {@link LocalBuildahBuilder}. */
    LOCAL,
    /** {@link KubernetesJobBuilder}. */
    KUBERNETES_JOB
  }

  /** How build logs are kept: see {@link ConfigMapBuildLogStore}. */
  Logs logs();

  /** Deleting old finished builds: see {@code dev.branchyard.lifecycle.BuildPruner}. */
  Prune prune();

  /** How finished builds that no environment needs any more are deleted. */
  interface Prune {

    /**
     * How often finished builds are looked at. The {@code @Scheduled} interval reads it raw, with
     * the same default.
     */
    @WithDefault("1h")
    Duration interval();

    /**
     * How long a finished build (Succeeded, Failed, Cancelled or Skipped) that no environment owns
     * any more is kept for inspection, counted from its end; its log ConfigMap goes with it. Builds
     * created by hand are never pruned.
     */
    @WithDefault("7d")
    Duration keepFinished();
  }

  /** Settings of the {@code local} backend. */
  interface Local {

    /**
     * The directory holding buildah's storage, run state, temp files and the per-build checkouts
     * (see {@link LocalBuildahBuilder} for the layout). Unset: {@code branchyard-buildah} in the
     * JVM temp directory. Keep the path short: buildah's run-state paths must fit socket path
     * limits.
     */
    Optional<Path> workDir();
  }

  /** Settings of the {@code kubernetes-job} backend (see {@link BuildJobSpec} for the Job). */
  interface Job {

    /**
     * The image of the init container that fetches the commit; it needs {@code sh} and {@code git}
     * (its entrypoint is replaced).
     */
    @WithDefault("docker.io/alpine/git:v2.47.2")
    String gitImage();

    /**
     * The image of the container that builds and pushes; it needs {@code sh} and {@code buildah}
     * and must run as root (buildah with vfs storage and chroot isolation, no daemon).
     */
    @WithDefault("quay.io/buildah/stable:v1.38.1")
    String buildahImage();

    /** Resources of each build pod's containers (the fetch and the build container alike). */
    Resources resources();

    /**
     * How long a finished Job and its pod (with its logs) are kept for inspection before Kubernetes
     * deletes them ({@code ttlSecondsAfterFinished}). A cancelled or timed-out build's Job is
     * deleted at once.
     */
    @WithDefault("1h")
    Duration ttlAfterFinished();

    /**
     * A Secret of type {@code kubernetes.io/dockerconfigjson} in Branchyard's namespace holding
     * credentials for the registry images are pushed to (and base images pulled from). Mounted
     * read-only into the build container. Unset: registries are used anonymously.
     */
    Optional<String> registrySecret();

    /**
     * The service account build pods run as; its token is never mounted. Unset: the namespace's
     * {@code default} account. Set it to give builds an image pull secret or a pod security policy.
     */
    Optional<String> serviceAccount();

    /**
     * How often a running build's Job and pod are looked at. The log streams continuously; this
     * only bounds how late the end of a build is noticed.
     */
    @WithDefault("2s")
    Duration pollInterval();
  }

  /** Requests and limits of a build pod's containers, as Kubernetes quantities. */
  interface Resources {

    /** What the scheduler reserves for a build. */
    Requests requests();

    /** What a build may use at most; a build over its memory limit fails as OOMKilled. */
    Limits limits();
  }

  /** Resource requests of a build container. */
  interface Requests {

    @WithDefault("500m")
    String cpu();

    @WithDefault("1Gi")
    String memory();

    /** Disk for the checkout and buildah's vfs storage (every layer is a full copy). */
    Optional<String> ephemeralStorage();
  }

  /** Resource limits of a build container. */
  interface Limits {

    /** Unset: no CPU limit, so a build may use idle CPU. */
    Optional<String> cpu();

    @WithDefault("4Gi")
    String memory();

    /** Unset: no limit beyond the node's. */
    Optional<String> ephemeralStorage();
  }

  /** How to talk to one registry. */
  interface Registry {

    /**
     * Speak plain HTTP instead of HTTPS. Only for registries on a trusted network: credentials and
     * tokens cross it unencrypted.
     */
    @WithDefault("false")
    boolean insecure();

    /**
     * The user name for the registry, or for its token service when it uses bearer tokens. Used
     * with {@link #password()}.
     */
    Optional<String> username();

    /** The password or access token belonging to {@link #username()}. */
    Optional<String> password();
  }

  /**
   * Build logs are kept in memory while a build runs on this replica and written to a ConfigMap
   * next to the build's ImageBuild.
   */
  interface Logs {

    /**
     * The most one build's log keeps, in UTF-8 bytes, all attempts together (e.g. {@code 512K}). A
     * longer log keeps its first quarter and its most recent part, with a line saying how much was
     * left out between them. At least {@code 1K}; at most {@code 900K}, so the ConfigMap stays
     * below Kubernetes' 1 MiB object limit.
     */
    @WithDefault("512K")
    @WithConverter(MemorySizeConverter.class)
    MemorySize maxSize();

    /**
     * How often a running build's new lines are written to its ConfigMap (at most once per interval
     * while lines arrive; the last lines are written when the build ends). Shorter means fresher
     * logs on other replicas and more writes to the Kubernetes API.
     */
    @WithDefault("1s")
    Duration flushInterval();

    /**
     * How long the log of an ended build is kept in memory and retried when writing it fails (e.g.
     * while the Kubernetes API is unreachable). After that it is dropped with a warning.
     */
    @WithDefault("15m")
    Duration retryFor();
  }
}
