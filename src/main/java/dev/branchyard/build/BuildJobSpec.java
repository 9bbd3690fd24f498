package dev.branchyard.build;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.build.BuildRequest.SecretSource;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Job that builds one image in the cluster, rendered from a {@link BuildRequest} and {@code
 * branchyard.build.*}; no I/O (it uses fabric8's model classes, so it is not marked {@code @Pure}).
 *
 * <p>The pod has two containers sharing an emptyDir workspace:
 *
 * <pre>
 * fetch (init, git image)   git init; git fetch --depth 1 origin $SHA; git checkout FETCH_HEAD;
 *                           rm -rf .git                       any failure: exit 10
 * build (buildah image)     buildah bud (vfs, chroot) -f $DOCKERFILE -t $TARGET [args] $CONTEXT
 *                                                             failure: exit 20
 *                           buildah push $TARGET              failure: exit 30
 * </pre>
 *
 * The scripts are fixed; the repository URL, commit, paths and target reach them as environment
 * variables and the build arguments as the build container's arguments ({@code "$@"}), so nothing a
 * spec says is ever parsed by a shell. A secret build argument is an {@code env} entry with a
 * {@code secretKeyRef} and a bare {@code --build-arg NAME}, which buildah completes from the
 * environment: its value never appears in the Job. The context holds the commit's files without
 * {@code .git}, as with the local backend, so both backends build the same image for a tag.
 */
final class BuildJobSpec {

  static final String FETCH_CONTAINER = "fetch";
  static final String BUILD_CONTAINER = "build";

  /** The fetch container's exit code when the commit cannot be fetched or checked out. */
  static final int EXIT_FETCH_FAILED = 10;

  /** The build container's exit code when {@code buildah bud} failed. */
  static final int EXIT_BUD_FAILED = 20;

  /** The build container's exit code when {@code buildah push} failed. */
  static final int EXIT_PUSH_FAILED = 30;

  /** On the Job and its pod, so {@code kubectl get jobs,pods -l ...} finds every build. */
  static final Map<String, String> LABELS =
      Map.of("app.kubernetes.io/part-of", "branchyard", "branchyard.dev/component", "image-build");

  /** The image a Job builds, for people reading {@code kubectl describe}. */
  static final String IMAGE_ANNOTATION = "branchyard.dev/image";

  static final String SOURCE_DIR = "/workspace/src";
  static final String REGISTRY_AUTH_DIR = "/etc/branchyard/registry-auth";

  private static final String FETCH_SCRIPT =
      String.join(
          "\n",
          "set -u",
          "fail() { echo \"branchyard: $1\" >&2; exit " + EXIT_FETCH_FAILED + "; }",
          "mkdir -p \"$BRANCHYARD_SOURCE\" && cd \"$BRANCHYARD_SOURCE\" || fail 'no workspace'",
          "git init -q . || fail 'git init failed'",
          "git remote add origin \"$BRANCHYARD_REPO_URL\" || fail 'git remote add failed'",
          "git fetch -q --depth 1 --no-tags origin \"$BRANCHYARD_COMMIT\""
              + " || fail \"cannot fetch commit $BRANCHYARD_COMMIT\"",
          "git -c advice.detachedHead=false checkout -q FETCH_HEAD"
              + " || fail \"cannot check out commit $BRANCHYARD_COMMIT\"",
          "rm -rf .git || fail 'cannot remove .git from the build context'",
          "");

  private static final String BUILD_SCRIPT =
      String.join(
          "\n",
          "set -u",
          "cd \"$BRANCHYARD_SOURCE\" || exit 1",
          "buildah --storage-driver vfs bud --isolation chroot --layers=false"
              + " -f \"$BRANCHYARD_DOCKERFILE\" -t \"$BRANCHYARD_TARGET\" \"$@\""
              + " \"$BRANCHYARD_CONTEXT\" || exit "
              + EXIT_BUD_FAILED,
          "buildah --storage-driver vfs push --tls-verify=\"$BRANCHYARD_TLS_VERIFY\""
              + " \"$BRANCHYARD_TARGET\" \"docker://$BRANCHYARD_TARGET\" || exit "
              + EXIT_PUSH_FAILED,
          "");

  private static final String JOB_NAME_PREFIX = "build-";
  private static final int MAX_NAME_LENGTH = 63;
  private static final int NAME_HASH_LENGTH = 12;
  private static final Pattern NOT_NAME_CHARS = Pattern.compile("[^a-z0-9]+");

  /** Secret build arguments become environment variables; these names must stay buildah's. */
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final Set<String> RESERVED_NAMES =
      Set.of(
          "PATH",
          "HOME",
          "HOSTNAME",
          "USER",
          "SHELL",
          "PWD",
          "IFS",
          "ENV",
          "BASH_ENV",
          "TMPDIR",
          "LD_PRELOAD",
          "LD_LIBRARY_PATH",
          "REGISTRY_AUTH_FILE");
  private static final List<String> RESERVED_PREFIXES =
      List.of("BRANCHYARD_", "BUILDAH_", "_BUILDAH", "CONTAINERS_", "STORAGE_");

  private static final String WORKSPACE_VOLUME = "workspace";
  private static final String STORAGE_VOLUME = "buildah-storage";
  private static final String REGISTRY_AUTH_VOLUME = "registry-auth";

  private final BuildConfig config;
  private final String namespace;
  private final ResourceRequirements resources;

  /**
   * @param namespace Branchyard's own namespace, where the Job runs and its Secrets live
   * @throws IllegalArgumentException if a resource quantity in {@code
   *     branchyard.build.job.resources} is not a Kubernetes quantity, or a request exceeds its
   *     limit
   */
  BuildJobSpec(BuildConfig config, String namespace) {
    this.config = config;
    this.namespace = namespace;
    this.resources = resources(config.job().resources());
  }

  String namespace() {
    return namespace;
  }

  /**
   * The Job's name: {@code build-<last repository path component>-<12 hex of SHA-256 of the image
   * reference>}, a DNS-1123 label of at most 63 characters. The same image always gets the same
   * name, which is how a restarted Branchyard finds the Job of a build it had started.
   */
  static String nameOf(ImageRef image) {
    String hash = sha256Hex(image.reference()).substring(0, NAME_HASH_LENGTH);
    String repository = image.repository();
    String last = repository.substring(repository.lastIndexOf('/') + 1);
    String slug = trimDashes(NOT_NAME_CHARS.matcher(last.toLowerCase(Locale.ROOT)).replaceAll("-"));
    int room = MAX_NAME_LENGTH - JOB_NAME_PREFIX.length() - 1 - NAME_HASH_LENGTH;
    if (slug.length() > room) {
      slug = trimDashes(slug.substring(0, room));
    }
    return slug.isEmpty() ? JOB_NAME_PREFIX + hash : JOB_NAME_PREFIX + slug + "-" + hash;
  }

  /**
   * Why {@code request} cannot be built as a Job, if it cannot: a Dockerfile or context outside the
   * repository, or a secret argument that has no Secret to read from or whose name cannot be an
   * environment variable of the build container.
   */
  static Optional<Failed> unbuildable(BuildRequest request) {
    if (!insideRepository(request.dockerfile()) || !insideRepository(request.context())) {
      return Optional.of(
          new Failed(
              Reason.DOCKERFILE,
              "the Dockerfile and the context must lie inside the repository, not "
                  + request.dockerfile()
                  + " and "
                  + request.context()));
    }
    for (Map.Entry<String, Arg> entry : new TreeMap<>(request.buildArgs()).entrySet()) {
      String name = entry.getKey();
      Arg arg = entry.getValue();
      if (!arg.secret()) {
        continue;
      }
      if (arg.source().isEmpty()) {
        // A caller bug, not the user's: the value is known but could only reach the pod by being
        // written into the Job, which would publish it.
        return Optional.of(
            new Failed(
                Reason.INFRASTRUCTURE,
                "secret build argument "
                    + name
                    + " has no Secret to read it from; the kubernetes-job backend never writes"
                    + " secret values into a Job"));
      }
      if (!ENV_NAME.matcher(name).matches() || reserved(name)) {
        return Optional.of(
            new Failed(
                Reason.DOCKERFILE,
                "secret build argument "
                    + name
                    + " cannot be passed to the build container: secret argument names must be"
                    + " letters, digits and underscores, not starting with a digit, and not one of"
                    + " PATH, HOME, REGISTRY_AUTH_FILE, ... or start with BRANCHYARD_, BUILDAH_,"
                    + " CONTAINERS_ or STORAGE_"));
      }
    }
    return Optional.empty();
  }

  /**
   * The Job building {@code request}, its commit fetched from {@code repoUrl}. Call {@link
   * #unbuildable} first: this assumes every secret argument has a {@link SecretSource}.
   */
  Job render(BuildRequest request, String repoUrl) {
    ImageRef target = request.target();
    Duration ttl = config.job().ttlAfterFinished();
    return new JobBuilder()
        .withNewMetadata()
        .withName(nameOf(target))
        .withNamespace(namespace)
        .withLabels(LABELS)
        .withAnnotations(Map.of(IMAGE_ANNOTATION, target.reference()))
        .endMetadata()
        .withNewSpec()
        // Branchyard decides about retries itself, knowing why a build failed.
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(wholeSecondsAtLeastOne(config.timeout()))
        .withTtlSecondsAfterFinished(Math.toIntExact(ttl.toSeconds()))
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(LABELS)
        .withAnnotations(Map.of(IMAGE_ANNOTATION, target.reference()))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(config.job().serviceAccount().orElse(null))
        // A build needs no API access and no service environment variables.
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withInitContainers(fetchContainer(request, repoUrl))
        .withContainers(buildContainer(request))
        .withVolumes(volumes())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Container fetchContainer(BuildRequest request, String repoUrl) {
    return new ContainerBuilder()
        .withName(FETCH_CONTAINER)
        .withImage(config.job().gitImage())
        .withCommand("/bin/sh", "-c", FETCH_SCRIPT)
        .withEnv(
            env("BRANCHYARD_REPO_URL", repoUrl),
            env("BRANCHYARD_COMMIT", request.commitSha()),
            env("BRANCHYARD_SOURCE", SOURCE_DIR))
        .withVolumeMounts(mount(WORKSPACE_VOLUME, "/workspace", false))
        .withResources(resources)
        .build();
  }

  private Container buildContainer(BuildRequest request) {
    ImageRef target = request.target();
    List<EnvVar> env = new ArrayList<>();
    env.add(env("BRANCHYARD_SOURCE", SOURCE_DIR));
    env.add(env("BRANCHYARD_DOCKERFILE", normalised(request.dockerfile())));
    env.add(env("BRANCHYARD_CONTEXT", normalised(request.context())));
    env.add(env("BRANCHYARD_TARGET", target.reference()));
    env.add(
        env(
            "BRANCHYARD_TLS_VERIFY",
            Boolean.toString(BuildahCommands.tlsVerify(target.registry(), config.registries()))));
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount(WORKSPACE_VOLUME, "/workspace", false));
    mounts.add(mount(STORAGE_VOLUME, "/var/lib/containers", false));
    if (config.job().registrySecret().isPresent()) {
      env.add(env("REGISTRY_AUTH_FILE", REGISTRY_AUTH_DIR + "/auth.json"));
      mounts.add(mount(REGISTRY_AUTH_VOLUME, REGISTRY_AUTH_DIR, true));
    }
    // Name order: the same request always renders the same Job.
    List<String> args = new ArrayList<>();
    new TreeMap<>(request.buildArgs())
        .forEach(
            (name, arg) -> {
              args.add("--build-arg");
              if (arg.secret()) {
                SecretSource source = arg.source().orElseThrow();
                env.add(
                    new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(source.secretName())
                        .withKey(source.key())
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build());
                args.add(name);
              } else {
                args.add(name + "=" + arg.value());
              }
            });
    return new ContainerBuilder()
        .withName(BUILD_CONTAINER)
        .withImage(config.job().buildahImage())
        // "build" is $0 of the script; the build arguments are "$@".
        .withCommand("/bin/sh", "-c", BUILD_SCRIPT, "build")
        .withArgs(args)
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withResources(resources)
        .build();
  }

  private List<Volume> volumes() {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewEmptyDir().endEmptyDir().build());
    // buildah's vfs layers: on the node's disk, counted as the pod's ephemeral storage, and gone
    // with the pod.
    volumes.add(
        new VolumeBuilder().withName(STORAGE_VOLUME).withNewEmptyDir().endEmptyDir().build());
    config
        .job()
        .registrySecret()
        .ifPresent(
            secret ->
                volumes.add(
                    new VolumeBuilder()
                        .withName(REGISTRY_AUTH_VOLUME)
                        .withNewSecret()
                        .withSecretName(secret)
                        .addNewItem()
                        .withKey(".dockerconfigjson")
                        .withPath("auth.json")
                        .endItem()
                        .endSecret()
                        .build()));
    return volumes;
  }

  private static ResourceRequirements resources(BuildConfig.Resources config) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    requests.put("cpu", quantity("requests.cpu", config.requests().cpu()));
    requests.put("memory", quantity("requests.memory", config.requests().memory()));
    config
        .requests()
        .ephemeralStorage()
        .ifPresent(
            s -> requests.put("ephemeral-storage", quantity("requests.ephemeral-storage", s)));
    Map<String, Quantity> limits = new LinkedHashMap<>();
    config.limits().cpu().ifPresent(s -> limits.put("cpu", quantity("limits.cpu", s)));
    limits.put("memory", quantity("limits.memory", config.limits().memory()));
    config
        .limits()
        .ephemeralStorage()
        .ifPresent(s -> limits.put("ephemeral-storage", quantity("limits.ephemeral-storage", s)));
    limits.forEach(
        (resource, limit) -> {
          Quantity request = requests.get(resource);
          if (request != null && amount(request).compareTo(amount(limit)) > 0) {
            throw new IllegalArgumentException(
                "branchyard.build.job.resources.requests."
                    + resource
                    + " ("
                    + request
                    + ") is more than branchyard.build.job.resources.limits."
                    + resource
                    + " ("
                    + limit
                    + ")");
          }
        });
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  private static Quantity quantity(String key, String value) {
    Quantity quantity = new Quantity(value);
    try {
      amount(quantity);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "branchyard.build.job.resources."
              + key
              + " = '"
              + value
              + "' is not a Kubernetes quantity such as 500m, 2 or 1Gi",
          e);
    }
    return quantity;
  }

  private static BigDecimal amount(Quantity quantity) {
    return quantity.getNumericalAmount();
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static long wholeSecondsAtLeastOne(Duration duration) {
    long seconds = duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }

  private static boolean insideRepository(String path) {
    Path root = Path.of("/repository");
    return !Path.of(path).isAbsolute() && root.resolve(path).normalize().startsWith(root);
  }

  private static String normalised(String path) {
    String normal = Path.of(path).normalize().toString();
    return normal.isEmpty() ? "." : normal;
  }

  private static boolean reserved(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return RESERVED_NAMES.contains(upper) || RESERVED_PREFIXES.stream().anyMatch(upper::startsWith);
  }

  private static String trimDashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '-') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(start, end);
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
