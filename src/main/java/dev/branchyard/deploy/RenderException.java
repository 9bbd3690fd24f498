package dev.branchyard.deploy;

/**
 * A component's templates or chart could not be rendered: the message names the file (with line and
 * column where known), what is wrong and what would be valid. Not retried: the environment fails
 * with this message until its spec or templates change.
 */
public class RenderException extends Exception {

  public RenderException(String message) {
    super(message);
  }

  public RenderException(String message, Throwable cause) {
    super(message, cause);
  }
}
