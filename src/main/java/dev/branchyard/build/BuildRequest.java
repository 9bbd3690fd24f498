package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.Map;
import java.util.Objects;

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
   */
  public record Arg(String value, boolean secret) {

    public Arg {
      Objects.requireNonNull(value, "value");
    }

    public static Arg literal(String value) {
      return new Arg(value, false);
    }

    public static Arg secret(String value) {
      return new Arg(value, true);
    }

    @Override
    public String toString() {
      return secret ? "***" : value;
    }
  }
}
