package dev.branchyard.lifecycle;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** RFC 3339 times as Kubernetes objects and Branchyard's statuses carry them. */
final class ResourceTimes {

  private ResourceTimes() {}

  /** The instant, or empty when the text is unset or not an RFC 3339 time. */
  static Optional<Instant> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
