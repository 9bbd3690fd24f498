package dev.branchyard.spec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in specs and chat commands: {@code 8h}, {@code 1h30m}, {@code 2d}.
 */
public final class DurationText {

  static final String RULE = "write it like 8h, 1h30m or 2d (units d, h, m, s, largest first)";

  /** Up to 5 digits per unit keeps every value far from overflow while allowing {@code 90m}. */
  private static final Pattern FORMAT =
      Pattern.compile("(?:(\\d{1,5})d)?(?:(\\d{1,5})h)?(?:(\\d{1,5})m)?(?:(\\d{1,5})s)?");

  private DurationText() {}

  /** The duration, or empty when the text is not in the accepted format. */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text.strip());
    if (text.isBlank() || !m.matches()) {
      return Optional.empty();
    }
    Duration duration =
        Duration.ofDays(part(m, 1))
            .plusHours(part(m, 2))
            .plusMinutes(part(m, 3))
            .plusSeconds(part(m, 4));
    return Optional.of(duration);
  }

  /** The shortest text {@link #parse} reads back as this duration, e.g. {@code 1d2h}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    long seconds = duration.getSeconds();
    long[] sizes = {86_400, 3_600, 60, 1};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (seconds >= sizes[i]) {
        text.append(seconds / sizes[i]).append(units[i]);
        seconds %= sizes[i];
      }
    }
    return text.toString();
  }

  private static long part(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }
}
