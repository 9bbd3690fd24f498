package dev.branchyard.lifecycle;

/**
 * An extension that would pass the stack's max TTL. The message says where the max is and how much
 * extension is still possible.
 */
public class ExtensionRefusedException extends RuntimeException {

  public ExtensionRefusedException(String message) {
    super(message);
  }
}
