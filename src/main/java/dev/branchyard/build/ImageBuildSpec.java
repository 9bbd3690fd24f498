package dev.branchyard.build;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * The inputs of one image build; the same inputs always give the same target image.
 *
 * @param repo the repository to build, as a git URL
 * @param commitSha the exact commit to check out
 * @param dockerfile path of the Dockerfile, relative to the repository root
 * @param context build context directory, relative to the repository root
 * @param buildArgs build arguments, literal or taken from a Secret
 * @param image the target image reference, {@code <registry>/<path>:<sha>-<settings hash>}
 * @param rebuild a request to build even though the registry has the image (e.g. {@code /branchyard
 *     rebuild}): each new value builds once more; empty for an ordinary build
 */
public record ImageBuildSpec(
    @Required @JsonPropertyDescription("Git URL of the repository to build.") String repo,
    @Required
        @Pattern("^[0-9a-f]{40}$")
        @JsonPropertyDescription("Exact commit (full SHA-1) to build.")
        String commitSha,
    @JsonPropertyDescription(
            "Dockerfile path relative to the repository root (default Dockerfile).")
        String dockerfile,
    @JsonPropertyDescription("Build context relative to the repository root (default .).")
        String context,
    List<BuildArg> buildArgs,
    @Required @JsonPropertyDescription("Target image reference to push.") String image,
    @JsonPropertyDescription(
            "Set to build even when the registry has the image; each new value builds once more.")
        String rebuild) {

  /** An ordinary build: skipped when the registry already has the image. */
  public ImageBuildSpec(
      String repo,
      String commitSha,
      String dockerfile,
      String context,
      List<BuildArg> buildArgs,
      String image) {
    this(repo, commitSha, dockerfile, context, buildArgs, image, null);
  }

  /** The same build, forced by the rebuild request {@code request} (null for an ordinary one). */
  public ImageBuildSpec withRebuild(String request) {
    return new ImageBuildSpec(repo, commitSha, dockerfile, context, buildArgs, image, request);
  }

  /** Whether both describe the same image from the same inputs, whatever their rebuild requests. */
  public boolean sameInputs(ImageBuildSpec other) {
    return other != null && withRebuild(null).equals(other.withRebuild(null));
  }
}
