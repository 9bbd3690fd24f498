package dev.branchyard.build;

/** A registry could not answer a question. The message names the registry and repository. */
public class RegistryException extends Exception {

  /** Why the registry did not answer, so callers can decide whether to retry. */
  public enum Kind {
    /** Credentials are missing or were refused; retrying will not help until they are fixed. */
    AUTH_FAILED,
    /** The registry could not be reached or did not answer in time; worth retrying. */
    UNREACHABLE,
    /** The registry answered in a way this client does not understand. */
    PROTOCOL
  }

  private final Kind kind;
  private final String registry;
  private final String repository;

  public RegistryException(
      Kind kind, String registry, String repository, String message, Throwable cause) {
    super(registry + "/" + repository + ": " + message, cause);
    this.kind = kind;
    this.registry = registry;
    this.repository = repository;
  }

  public Kind kind() {
    return kind;
  }

  public String registry() {
    return registry;
  }

  public String repository() {
    return repository;
  }
}
