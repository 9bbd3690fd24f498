package dev.branchyard.chatops;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a Slack request's signature (version {@code v0}): {@code X-Slack-Signature: v0=<hex>} is
 * the HMAC-SHA256, keyed with the app's signing secret, of {@code v0:<X-Slack-Request-Timestamp>:
 * <raw body>}. A request whose timestamp is further than the replay window from now, in either
 * direction, is refused before its signature is looked at: a captured request cannot be replayed
 * later, and a clock far off shows up as such.
 */
@Pure
public final class SlackSignature {

  public static final String SIGNATURE_HEADER = "X-Slack-Signature";
  public static final String TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";

  private static final String VERSION = "v0";
  private static final String ALGORITHM = "HmacSHA256";
  private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
  private static final Pattern SIGNATURE = Pattern.compile("v0=[0-9a-fA-F]{64}");

  private final SecretKeySpec key;
  private final Duration replayWindow;
  private final Clock clock;

  /**
   * @param signingSecret the Slack app's signing secret; not blank
   * @param replayWindow how far a request's timestamp may be from now, inclusive
   * @param clock the time requests are judged against
   */
  public SlackSignature(String signingSecret, Duration replayWindow, Clock clock) {
    this.key = key(signingSecret);
    if (replayWindow.isNegative() || replayWindow.isZero()) {
      throw new IllegalArgumentException("the Slack replay window must be above zero");
    }
    this.replayWindow = replayWindow;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Which way a Slack request was judged. */
  public sealed interface Result {

    /** Whether the body may be trusted as sent by Slack. */
    default boolean isValid() {
      return this instanceof Valid;
    }

    /**
     * A header is absent or empty.
     *
     * @param header which one
     */
    record Missing(String header) implements Result {}

    /**
     * A header is not in Slack's format.
     *
     * @param problem what is wrong, without echoing the value
     */
    record Malformed(String problem) implements Result {}

    /**
     * The timestamp is outside the replay window.
     *
     * @param sentAt when the request claims to have been sent
     * @param offBy how far that is from now: positive in the past, negative in the future
     */
    record Stale(Instant sentAt, Duration offBy) implements Result {}

    /** Fresh and well-formed, but not made with the signing secret (or over another body). */
    record Mismatch() implements Result {}

    /**
     * Made with the signing secret, within the replay window.
     *
     * @param sentAt the request's timestamp
     */
    record Valid(Instant sentAt) implements Result {}
  }

  /**
   * Judges a request.
   *
   * @param timestamp the {@code X-Slack-Request-Timestamp} value (Unix seconds), if present
   * @param signature the {@code X-Slack-Signature} value, if present
   * @param body the raw request body, exactly as received
   */
  public Result verify(Optional<String> timestamp, Optional<String> signature, byte[] body) {
    Objects.requireNonNull(body, "body");
    if (timestamp.isEmpty() || timestamp.get().isBlank()) {
      return new Result.Missing(TIMESTAMP_HEADER);
    }
    if (signature.isEmpty() || signature.get().isBlank()) {
      return new Result.Missing(SIGNATURE_HEADER);
    }
    String seconds = timestamp.get().strip();
    if (!TIMESTAMP.matcher(seconds).matches()) {
      return new Result.Malformed(TIMESTAMP_HEADER + " must be Unix time in seconds");
    }
    String claimed = signature.get().strip();
    if (!SIGNATURE.matcher(claimed).matches()) {
      return new Result.Malformed(SIGNATURE_HEADER + " must look like v0=<64 hex digits>");
    }
    Instant sentAt = Instant.ofEpochSecond(Long.parseLong(seconds));
    Duration offBy = Duration.between(sentAt, clock.instant());
    if (offBy.abs().compareTo(replayWindow) > 0) {
      return new Result.Stale(sentAt, offBy);
    }
    byte[] expected = hmac(key, seconds, body);
    byte[] given = HexFormat.of().parseHex(claimed.substring(VERSION.length() + 1));
    return MessageDigest.isEqual(given, expected)
        ? new Result.Valid(sentAt)
        : new Result.Mismatch();
  }

  /** The {@code X-Slack-Signature} value Slack would send, e.g. for test requests. */
  public static String sign(String signingSecret, String timestamp, byte[] body) {
    return VERSION + "=" + HexFormat.of().formatHex(hmac(key(signingSecret), timestamp, body));
  }

  private static SecretKeySpec key(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("the Slack signing secret must not be blank");
    }
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  private static byte[] hmac(SecretKeySpec key, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java runtime provides " + ALGORITHM, e);
    }
  }
}
