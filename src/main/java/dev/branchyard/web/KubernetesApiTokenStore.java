package dev.branchyard.web;

import dev.branchyard.web.ApiTokens.StoredToken;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * API tokens kept in a Secret in Branchyard's own namespace (one key per token name, the value
 * {@code scope=...;sha256=...;created=...}), plus those given in configuration. The Secret is read
 * again at most every {@code branchyard.web.api.tokens.refresh-interval}; a missing Secret is no
 * tokens. Entries that cannot be read are skipped with a warning, never used.
 */
@ApplicationScoped
public class KubernetesApiTokenStore implements ApiTokenStore {

  private static final Logger LOG = Logger.getLogger(KubernetesApiTokenStore.class);
  private static final int MAX_CONFLICTS = 10;

  private final KubernetesClient client;
  private final ApiConfig config;
  private final Clock clock;
  private final List<StoredToken> configured;

  private volatile List<StoredToken> fromSecret = List.of();
  private volatile Instant readAt = Instant.MIN;

  public KubernetesApiTokenStore(KubernetesClient client, ApiConfig config, Clock clock) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.configured = readable(config.tokens().configured(), "configuration");
  }

  @Override
  public List<StoredToken> all() {
    Instant now = clock.instant();
    if (now.isAfter(readAt.plus(config.tokens().refreshInterval())) || now.isBefore(readAt)) {
      synchronized (this) {
        if (now.isAfter(readAt.plus(config.tokens().refreshInterval())) || now.isBefore(readAt)) {
          try {
            fromSecret = readSecret();
          } catch (KubernetesClientException e) {
            // Keep the tokens read last: an API server hiccup must not lock every client out.
            LOG.warnf(
                "cannot read API tokens from Secret %s now, using those read before: %s",
                config.tokens().secret(), e.getMessage());
          }
          readAt = now;
        }
      }
    }
    List<StoredToken> all = new ArrayList<>(configured);
    all.addAll(fromSecret);
    return all;
  }

  @Override
  public void save(StoredToken token) {
    for (int conflicts = 0; ; conflicts++) {
      Secret secret = secret();
      try {
        if (secret == null) {
          client
              .secrets()
              .inNamespace(client.getNamespace())
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName(config.tokens().secret())
                      .addToLabels("app.kubernetes.io/part-of", "branchyard")
                      .endMetadata()
                      .withType("Opaque")
                      .addToData(token.name(), encode(token.format()))
                      .build())
              .create();
        } else {
          Map<String, String> data =
              new LinkedHashMap<>(secret.getData() == null ? Map.of() : secret.getData());
          data.put(token.name(), encode(token.format()));
          secret.setData(data);
          client.secrets().inNamespace(client.getNamespace()).resource(secret).update();
        }
        invalidate();
        return;
      } catch (KubernetesClientException e) {
        if (!retryable(e) || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public boolean revoke(String name) {
    for (int conflicts = 0; ; conflicts++) {
      Secret secret = secret();
      if (secret == null || secret.getData() == null || !secret.getData().containsKey(name)) {
        return false;
      }
      Map<String, String> data = new LinkedHashMap<>(secret.getData());
      data.remove(name);
      secret.setData(data);
      try {
        client.secrets().inNamespace(client.getNamespace()).resource(secret).update();
        invalidate();
        return true;
      } catch (KubernetesClientException e) {
        if (!retryable(e) || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
      }
    }
  }

  private void invalidate() {
    readAt = Instant.MIN;
  }

  private Secret secret() {
    return client
        .secrets()
        .inNamespace(client.getNamespace())
        .withName(config.tokens().secret())
        .get();
  }

  private List<StoredToken> readSecret() {
    Secret secret = secret();
    if (secret == null || secret.getData() == null) {
      return List.of();
    }
    Map<String, String> decoded = new LinkedHashMap<>();
    secret.getData().forEach((k, v) -> decoded.put(k, decode(v)));
    return readable(decoded, "Secret " + config.tokens().secret());
  }

  private static List<StoredToken> readable(Map<String, String> entries, String where) {
    List<StoredToken> tokens = new ArrayList<>();
    entries.forEach(
        (name, value) -> {
          try {
            tokens.add(ApiTokens.parse(name, value));
          } catch (IllegalArgumentException e) {
            LOG.warnf("ignoring API token entry in %s: %s", where, e.getMessage());
          }
        });
    return List.copyOf(tokens);
  }

  private static boolean retryable(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
