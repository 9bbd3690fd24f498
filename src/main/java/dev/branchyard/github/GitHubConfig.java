package dev.branchyard.github;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** Settings of the GitHub webhook intake, prefix {@code branchyard.github}. */
@ConfigMapping(prefix = "branchyard.github")
public interface GitHubConfig {

  /**
   * The secret set on the GitHub App's (or repository's) webhook; every delivery's {@code
   * X-Hub-Signature-256} is checked against it. Unset: webhooks are refused, never taken in
   * unchecked.
   */
  Optional<String> webhookSecret();

  /**
   * The secret {@link #webhookSecret()} replaces, still accepted while a rotation is under way: set
   * the new secret here first, then on GitHub, then remove this key.
   */
  Optional<String> webhookPreviousSecret();

  /**
   * The largest webhook body taken in (e.g. {@code 25M}); larger ones are refused before they are
   * read to the end. GitHub caps payloads at 25 MB.
   */
  @WithDefault("25M")
  @WithConverter(MemorySizeConverter.class)
  MemorySize maxBodySize();

  /** How delivery ids are remembered to drop repeated deliveries. */
  Deliveries deliveries();

  /** Settings of the {@link DeliveryLedger}. */
  interface Deliveries {

    /**
     * How many delivery ids are remembered at most; the least recently seen are forgotten first.
     */
    @WithDefault("10000")
    int remember();

    /**
     * How long a delivery id is remembered after it was last seen. GitHub redelivers on request for
     * up to three days; a repeat after this long is processed again (harmlessly: intents are
     * idempotent).
     */
    @WithName("for")
    @WithDefault("24h")
    Duration rememberFor();
  }
}
