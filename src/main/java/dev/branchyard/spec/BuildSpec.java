package dev.branchyard.spec;

import java.util.Map;
import java.util.Objects;

/**
 * How a component's image is built from its repo at the chosen commit.
 *
 * @param dockerfile path of the Dockerfile within the repo; default {@code Dockerfile}
 * @param context build context directory within the repo; default {@code .}
 * @param args build arguments by name, each a literal or a reference to a secret's key
 */
public record BuildSpec(String dockerfile, String context, Map<String, BuildArgValue> args) {

  public static final String DEFAULT_DOCKERFILE = "Dockerfile";
  public static final String DEFAULT_CONTEXT = ".";

  public BuildSpec {
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(context, "context");
    args = Map.copyOf(args);
  }
}
