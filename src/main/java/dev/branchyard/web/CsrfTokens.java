package dev.branchyard.web;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CSRF tokens for the pages' forms: a synchronizer token derived from the login session, {@code
 * HMAC-SHA256(key, session secret)}, put in a hidden field of each form and checked on every POST.
 *
 * <p>Why our own: quarkus-rest-csrf is not available for the Quarkus version Branchyard is built
 * on. Why this shape: a cross-site page can make the browser send the session cookie, but it can
 * read neither the cookie nor our pages, so it cannot compute or copy the token; deriving it from
 * the session (its access token) instead of storing one means no server-side state, so any replica
 * with the same key accepts it, and it dies with the session. Anonymous visitors have no session
 * and can do nothing that needs a token.
 */
@Pure
public final class CsrfTokens {

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] PURPOSE = "branchyard-page-csrf\n".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;

  public CsrfTokens(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException(
          "the CSRF key must be at least 32 bytes (branchyard.web.pages.csrf-key)");
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
  }

  /** The token for forms of the session whose secret this is. */
  public String issue(String sessionSecret) {
    Objects.requireNonNull(sessionSecret, "sessionSecret");
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionSecret));
  }

  /** Whether {@code token} is the one {@link #issue} gives for this session (constant time). */
  public boolean verify(String sessionSecret, String token) {
    if (sessionSecret == null || token == null || token.isEmpty()) {
      return false;
    }
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(sessionSecret), presented);
  }

  private byte[] mac(String sessionSecret) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(PURPOSE);
      return mac.doFinal(sessionSecret.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
