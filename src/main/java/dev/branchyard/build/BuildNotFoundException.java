package dev.branchyard.build;

/** There is no ImageBuild with the name asked for, so there is no log to show. */
public class BuildNotFoundException extends RuntimeException {

  private final String buildName;

  public BuildNotFoundException(String buildName, String namespace) {
    super("no ImageBuild named '" + buildName + "' in namespace '" + namespace + "'");
    this.buildName = buildName;
  }

  public String buildName() {
    return buildName;
  }
}
