package dev.branchyard.github;

import dev.branchyard.Pure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything GitHub should show about one environment now, in the order it is sent.
 *
 * @param environment the Environment's name
 * @param deleted whether the Environment is gone (nothing can be recorded on it any more)
 * @param recorded the fingerprints of what was last sent, as recorded on the Environment (see
 *     {@link #parseRecorded}), when this update was made
 * @param updates the commit status, the sticky comment and the deployment status
 */
@Pure
public record FeedbackUpdate(
    String environment,
    boolean deleted,
    Optional<String> recorded,
    List<GitHubFeedback.Update> updates) {

  public FeedbackUpdate {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(recorded, "recorded");
    updates = List.copyOf(updates);
  }

  /** {@code status=<fingerprint>;comment=<fingerprint>;...} as recorded in an annotation. */
  public static String formatRecorded(Map<String, String> sent) {
    return sent.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(";"));
  }

  /** The fingerprints in an annotation written by {@link #formatRecorded}; junk is ignored. */
  public static Map<String, String> parseRecorded(String text) {
    Map<String, String> sent = new LinkedHashMap<>();
    if (text == null) {
      return sent;
    }
    for (String part : text.split(";")) {
      int equals = part.indexOf('=');
      if (equals > 0 && equals < part.length() - 1) {
        sent.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
      }
    }
    return sent;
  }
}
