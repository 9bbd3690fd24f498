package dev.branchyard.build;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * A build argument: a literal value, or a key of a Secret in Branchyard's namespace. Values taken
 * from Secrets never appear in logs, status or events.
 *
 * @param name the {@code ARG} name
 * @param value a literal value
 * @param secretKeyRef where to read the value from instead
 */
public record BuildArg(
    @Required String name,
    String value,
    @JsonPropertyDescription("Read the value from this Secret key instead of value.")
        SecretKeyRef secretKeyRef) {

  /**
   * A key of a Secret in Branchyard's namespace.
   *
   * @param name the Secret's name
   * @param key the key inside the Secret
   */
  public record SecretKeyRef(@Required String name, @Required String key) {}
}
