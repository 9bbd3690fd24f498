package dev.branchyard.web;

import dev.branchyard.Pure;
import java.time.Duration;
import java.time.Instant;

/** Durations and instants as people read them on the pages: {@code 3h 5m}, {@code in 2d 4h}. */
@Pure
public final class HumanTime {

  private HumanTime() {}

  /** The two largest units of a duration: {@code 45s}, {@code 3m 20s}, {@code 2d 4h}. */
  public static String duration(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    long days = seconds / 86_400;
    long hours = seconds % 86_400 / 3_600;
    long minutes = seconds % 3_600 / 60;
    long secs = seconds % 60;
    if (days > 0) {
      return hours > 0 ? days + "d " + hours + "h" : days + "d";
    }
    if (hours > 0) {
      return minutes > 0 ? hours + "h " + minutes + "m" : hours + "h";
    }
    if (minutes > 0) {
      return secs > 0 ? minutes + "m " + secs + "s" : minutes + "m";
    }
    return secs + "s";
  }

  /** How long ago {@code then} was: {@code 3m 20s}; empty when unknown. */
  public static String age(Instant then, Instant now) {
    return then == null ? "" : duration(Duration.between(then, now));
  }

  /** {@code in 3h 5m} for a future instant, {@code 5m ago} for a past one. */
  public static String relative(Instant at, Instant now) {
    return at.isAfter(now)
        ? "in " + duration(Duration.between(now, at))
        : duration(Duration.between(at, now)) + " ago";
  }
}
