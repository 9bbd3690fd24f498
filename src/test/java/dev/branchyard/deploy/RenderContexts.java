package dev.branchyard.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Render contexts for the deploy tests: environment shop-pr-42 of the shop stack. */
final class RenderContexts {

  static final String NAMESPACE = "by-shop-pr-42";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  private RenderContexts() {}

  /** Component {@code web}, with an image, a host, services and some typed values. */
  static RenderContext web() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("logLevel", "debug");
    values.put("replicas", 3);
    values.put("featureFlags", Map.of("newCheckout", true));
    values.put("ports", List.of(8080, 8081));
    return new RenderContext(
        "shop-pr-42",
        NAMESPACE,
        "shop",
        "web",
        "acme/shop-web",
        COMMIT,
        Optional.of("registry.example.com/acme/shop-web:" + COMMIT + "-1a2b3c4d"),
        Optional.of("shop-pr-42.preview.shop.example.com"),
        Map.of("web", "web", "api", "api", "postgres", "postgres-db"),
        values);
  }

  /** Like {@link #web()}, with other values. */
  static RenderContext webWithValues(Map<String, Object> values) {
    RenderContext web = web();
    return new RenderContext(
        web.environment(),
        web.namespace(),
        web.spec(),
        web.component(),
        web.repo(),
        web.commitSha(),
        web.image(),
        web.host(),
        web.services(),
        values);
  }

  /** A component that builds no image, in a spec without ingress. */
  static RenderContext withoutImageOrHost() {
    RenderContext web = web();
    return new RenderContext(
        web.environment(),
        web.namespace(),
        web.spec(),
        "postgres",
        "acme/shop-infra",
        web.commitSha(),
        Optional.empty(),
        Optional.empty(),
        web.services(),
        web.values());
  }
}
