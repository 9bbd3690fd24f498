package dev.branchyard.spec;

import java.util.Objects;

/** The value of one build argument. */
public sealed interface BuildArgValue {

  /** A value written in the spec, e.g. {@code NODE_ENV: production}. */
  record Literal(String value) implements BuildArgValue {
    public Literal {
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A value read at build time from a secret in Branchyard's namespace, so that it never appears in
   * the spec: {@code NPM_TOKEN: {secret: npm, key: token}}.
   */
  record FromSecret(String secret, String key) implements BuildArgValue {
    public FromSecret {
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(key, "key");
    }
  }
}
