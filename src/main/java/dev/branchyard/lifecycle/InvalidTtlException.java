package dev.branchyard.lifecycle;

/** A TTL or extension that is not a positive duration in the {@code 8h}/{@code 1h30m} format. */
public class InvalidTtlException extends IllegalArgumentException {

  public InvalidTtlException(String message) {
    super(message);
  }
}
