package dev.branchyard.archfixture;

/** A deliberate violation that {@code ArchitectureTest} must detect. Not production code. */
public class ReadsEnvironmentInline {
  public String home() {
    return System.getenv("HOME");
  }
}
