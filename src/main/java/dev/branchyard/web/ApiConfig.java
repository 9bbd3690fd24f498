package dev.branchyard.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Settings of the REST API under {@code /api}, prefix {@code branchyard.web.api}. */
@ConfigMapping(prefix = "branchyard.web.api")
public interface ApiConfig {

  /**
   * Whether {@code GET}s under {@code /api} answer without a token, like the status pages. When
   * false, every API call needs a token with at least the {@code read} scope. Mutating calls always
   * need a {@code write} token, and token administration an {@code admin} token.
   */
  @WithDefault("true")
  boolean anonymousRead();

  /** Where API tokens are kept. */
  Tokens tokens();

  /** API tokens. */
  interface Tokens {

    /**
     * Name of the Secret, in Branchyard's own namespace, holding the API tokens: one key per token
     * name, each value {@code scope=<read|write|admin>;sha256=<hex>;created=<RFC 3339>}. Only the
     * SHA-256 of a token is stored; the token itself is shown once, when minted.
     */
    @WithDefault("branchyard-api-tokens")
    String secret();

    /**
     * How long the tokens read from the Secret are used before it is read again; a token minted on
     * another replica (or by {@code scripts/api-token.sh}) works here at most this long after.
     */
    @WithDefault("10s")
    Duration refreshInterval();

    /**
     * Tokens given in configuration instead (for development and CI), by name: the same {@code
     * scope=...;sha256=...} value as in the Secret. Both sources are used together.
     */
    Map<String, String> configured();
  }
}
