package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One image to build and push.
 *
 * @param repo the repository as a spec names it: a git URL or GitHub {@code owner/name}
 * @param commitSha the full commit SHA to build
 * @param dockerfile the Dockerfile's path, relative to the repository root
 * @param context the build context directory, relative to the repository root
 * @param buildArgs the build arguments by {@code ARG} name, with secrets already read
 * @param target where to push the image
 */
@Pure
public record BuildRequest(
    String repo,
    String commitSha,
    String dockerfile,
    String context,
    Map<String, Arg> buildArgs,
    ImageRef target) {

  public BuildRequest {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(commitSha, "commitSha");
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(target, "target");
    buildArgs = Map.copyOf(buildArgs);
  }

  /**
   * A resolved build-argument value.
   *
   * @param value the value as buildah gets it
   * @param secret whether it came from a Secret: then it is masked in every log line and never
   *     printed by {@link #toString()}
   * @param source the Secret key the value was read from. Backends that run the build in the
   *     cluster (the {@code kubernetes-job} backend) pass the value on from there and never write
   *     it anywhere themselves, so they need it for every secret argument; the local backend uses
   *     only {@link #value()}
   */
  public record Arg(String value, boolean secret, Optional<SecretSource> source) {

    public Arg {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(source, "source");
      if (source.isPresent() && !secret) {
        throw new IllegalArgumentException("a value read from a Secret is secret");
      }
    }

    public Arg(String value, boolean secret) {
      this(value, secret, Optional.empty());
    }

    public static Arg literal(String value) {
      return new Arg(value, false);
    }

    /** A secret value whose Secret is unknown: usable by the local backend only. */
    public static Arg secret(String value) {
      return new Arg(value, true);
    }

    /** A secret value read from {@code source}, usable by every backend. */
    public static Arg secret(String value, SecretSource source) {
      return new Arg(value, true, Optional.of(source));
    }

    @Override
    public String toString() {
      return secret ? "***" : value;
    }
  }

  /**
   * A key of a Secret in Branchyard's namespace. Only names: printing it reveals nothing.
   *
   * @param secretName the Secret's name
   * @param key the key inside the Secret
   */
  public record SecretSource(String secretName, String key) {

    public SecretSource {
      Objects.requireNonNull(secretName, "secretName");
      Objects.requireNonNull(key, "key");
    }
  }
}
