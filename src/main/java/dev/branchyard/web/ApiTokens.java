package dev.branchyard.web;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API tokens: minted as {@code by_} and 43 characters of base64url (256 random bits), stored only
 * as their SHA-256, checked in constant time. A slow password hash is not needed: the tokens are
 * random and long, so their hash cannot be reversed by guessing.
 */
@Pure
public final class ApiTokens {

  /** Every token starts so: recognisable in logs, secret scanners and the Authorization header. */
  public static final String PREFIX = "by_";

  private static final int RANDOM_BYTES = 32;
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?");
  private static final Pattern TOKEN = Pattern.compile("by_[A-Za-z0-9_-]{43}");
  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

  private ApiTokens() {}

  /**
   * A stored token: everything but the token itself.
   *
   * @param name who or what holds it, e.g. {@code ci}; the principal name of its calls
   * @param scope what it may do
   * @param sha256 the hex SHA-256 of the token
   * @param createdAt when it was minted, when known
   */
  public record StoredToken(
      String name, ApiScope scope, String sha256, Optional<Instant> createdAt) {
    public StoredToken {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(createdAt, "createdAt");
    }

    /** The stored form: {@code scope=write;sha256=<hex>;created=<RFC 3339>}. */
    public String format() {
      return "scope="
          + scope.text()
          + ";sha256="
          + sha256
          + createdAt.map(at -> ";created=" + at).orElse("");
    }
  }

  /**
   * A freshly minted token.
   *
   * @param token the token, to show once and never store
   * @param stored what is stored
   */
  public record Minted(String token, StoredToken stored) {}

  /** A new token for {@code name}. */
  public static Minted mint(String name, ApiScope scope, SecureRandom random, Instant now) {
    checkName(name);
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return new Minted(token, new StoredToken(name, scope, sha256(token), Optional.of(now)));
  }

  /** Whether {@code text} has the shape of a Branchyard token (not whether it is valid). */
  public static boolean looksLikeToken(String text) {
    return text != null && text.startsWith(PREFIX);
  }

  /**
   * The stored token {@code presented} matches, if any. Every stored hash is compared, each in
   * constant time, so the answer's timing tells nothing about which hashes are near.
   */
  public static Optional<StoredToken> match(String presented, Collection<StoredToken> stored) {
    if (presented == null || !TOKEN.matcher(presented).matches()) {
      return Optional.empty();
    }
    byte[] hash = HexFormat.of().parseHex(sha256(presented));
    StoredToken found = null;
    for (StoredToken candidate : stored) {
      if (MessageDigest.isEqual(hash, HexFormat.of().parseHex(candidate.sha256()))
          && found == null) {
        found = candidate;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The hex SHA-256 of a token, as stored. */
  public static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Reads a stored token.
   *
   * @throws IllegalArgumentException saying what is wrong with the entry
   */
  public static StoredToken parse(String name, String value) {
    checkName(name);
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : value.strip().split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        fields.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    String hash = fields.getOrDefault("sha256", "").toLowerCase(java.util.Locale.ROOT);
    if (!HEX_SHA256.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "token '" + name + "': sha256 must be 64 hex characters (the SHA-256 of the token)");
    }
    ApiScope scope;
    try {
      scope = ApiScope.parse(fields.get("scope"));
    } catch (InvalidQueryException e) {
      throw new IllegalArgumentException("token '" + name + "': " + e.getMessage(), e);
    }
    Optional<Instant> created;
    try {
      created = Optional.ofNullable(fields.get("created")).map(Instant::parse);
    } catch (DateTimeParseException e) {
      created = Optional.empty();
    }
    return new StoredToken(name, scope, hash, created);
  }

  /**
   * @throws InvalidQueryException when {@code name} cannot name a token (a Secret key)
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidQueryException(
          "name",
          "token name '"
              + name
              + "' is not valid: use 1 to 63 lowercase letters, digits, '-', '.' or '_', starting"
              + " and ending with a letter or digit");
    }
  }
}
