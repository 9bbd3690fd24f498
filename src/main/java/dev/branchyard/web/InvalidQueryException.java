package dev.branchyard.web;

/**
 * A request parameter that cannot be used as given; the message says what would be valid. Answered
 * 400 with the parameter named.
 */
public class InvalidQueryException extends IllegalArgumentException {

  private final String parameter;

  public InvalidQueryException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /** The request parameter (or body field) at fault. */
  public String parameter() {
    return parameter;
  }
}
