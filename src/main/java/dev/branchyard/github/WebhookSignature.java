package dev.branchyard.github;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks GitHub's {@code X-Hub-Signature-256} header: {@code sha256=} and the hex HMAC-SHA256 of
 * the raw request body, keyed with the webhook secret. During a rotation the previous secret is
 * accepted too, so deliveries signed before GitHub's settings changed still pass.
 *
 * <p>Both secrets are always tried and compared with {@link MessageDigest#isEqual}, so the time a
 * check takes says nothing about how much of a forged signature was right.
 */
@Pure
public final class WebhookSignature {

  /** The header GitHub signs deliveries with (SHA-256; the older SHA-1 header is not accepted). */
  public static final String HEADER = "X-Hub-Signature-256";

  private static final String PREFIX = "sha256=";
  private static final String ALGORITHM = "HmacSHA256";
  private static final int DIGEST_HEX_LENGTH = 64;

  private final SecretKeySpec current;
  private final Optional<SecretKeySpec> previous;

  /**
   * @param currentSecret the secret configured on GitHub's side now; not blank
   * @param previousSecret the one it replaced, accepted until the rotation is finished
   */
  public WebhookSignature(String currentSecret, Optional<String> previousSecret) {
    this.current = key(currentSecret, "the webhook secret");
    this.previous = previousSecret.map(s -> key(s, "the previous webhook secret"));
  }

  /** Which way a delivery's signature was judged. */
  public sealed interface Result {

    /** Whether the body may be trusted as sent by GitHub. */
    default boolean isValid() {
      return this instanceof Valid;
    }

    /** The delivery carries no {@code X-Hub-Signature-256} header (or an empty one). */
    record Missing() implements Result {}

    /**
     * The header is not {@code sha256=<64 hex digits>}.
     *
     * @param problem what is wrong with it, without echoing the value
     */
    record Malformed(String problem) implements Result {}

    /** Well-formed, but made with neither secret (or over another body). */
    record Mismatch() implements Result {}

    /**
     * Made with one of the secrets.
     *
     * @param secret which one; {@link Secret#PREVIOUS} means GitHub still signs with the old one
     */
    record Valid(Secret secret) implements Result {}
  }

  /** The secret a valid signature was made with. */
  public enum Secret {
    CURRENT,
    PREVIOUS
  }

  /**
   * Judges a delivery.
   *
   * @param header the {@code X-Hub-Signature-256} value, empty when the request had none
   * @param body the raw request body, exactly as received
   */
  public Result verify(Optional<String> header, byte[] body) {
    Objects.requireNonNull(body, "body");
    if (header.isEmpty() || header.get().isBlank()) {
      return new Result.Missing();
    }
    String value = header.get().strip();
    if (!value.startsWith(PREFIX)) {
      int equals = value.indexOf('=');
      return new Result.Malformed(
          equals > 0 && equals <= 10
              ? HEADER + " must use sha256, not '" + value.substring(0, equals) + "'"
              : HEADER + " must look like sha256=<64 hex digits>");
    }
    String hex = value.substring(PREFIX.length());
    if (hex.length() != DIGEST_HEX_LENGTH) {
      return new Result.Malformed(
          HEADER + " must carry 64 hex digits after sha256=; it has " + hex.length());
    }
    byte[] claimed;
    try {
      claimed = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return new Result.Malformed(HEADER + " must carry hex digits only after sha256=");
    }
    boolean byCurrent = MessageDigest.isEqual(claimed, hmac(current, body));
    boolean byPrevious =
        previous.map(key -> MessageDigest.isEqual(claimed, hmac(key, body))).orElse(false);
    if (byCurrent) {
      return new Result.Valid(Secret.CURRENT);
    }
    return byPrevious ? new Result.Valid(Secret.PREVIOUS) : new Result.Mismatch();
  }

  /** The header value GitHub would send for this body and secret, e.g. for test deliveries. */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(key(secret, "the webhook secret"), body));
  }

  private static SecretKeySpec key(String secret, String what) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  private static byte[] hmac(SecretKeySpec key, byte[] body) {
    try {
      // Mac instances are not thread-safe; one per check is cheap next to a webhook's I/O.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java runtime provides " + ALGORITHM, e);
    }
  }
}
