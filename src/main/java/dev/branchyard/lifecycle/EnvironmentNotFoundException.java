package dev.branchyard.lifecycle;

/** A request named an environment that does not exist (any more). */
public class EnvironmentNotFoundException extends RuntimeException {

  private final String name;

  public EnvironmentNotFoundException(String name) {
    super("no environment named '" + name + "'");
    this.name = name;
  }

  public String name() {
    return name;
  }
}
