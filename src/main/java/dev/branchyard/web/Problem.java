package dev.branchyard.web;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.branchyard.Pure;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem detail, the body of every API error ({@code application/problem+json}).
 *
 * @param type a URI naming the kind of problem, {@code https://branchyard.dev/problems/<slug>}
 * @param title a short summary of the kind of problem, the same for every occurrence
 * @param status the HTTP status code
 * @param detail what went wrong this time and what to do about it, for people
 * @param instance the request path the problem occurred at
 * @param extensions further members naming what was at fault (e.g. {@code environment}, {@code
 *     parameter}), serialized at the top level
 */
@Pure
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    Map<String, Object> extensions) {

  public static final String MEDIA_TYPE = "application/problem+json";

  private static final String TYPE_BASE = "https://branchyard.dev/problems/";

  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  /** A problem of kind {@code slug}, without extension members. */
  public static Problem of(String slug, String title, int status, String detail, String instance) {
    return new Problem(TYPE_BASE + slug, title, status, detail, instance, Map.of());
  }

  /** This problem with one more extension member (null values are left out). */
  public Problem with(String member, Object value) {
    if (value == null) {
      return this;
    }
    Map<String, Object> more = new LinkedHashMap<>(extensions);
    more.put(member, value);
    return new Problem(type, title, status, detail, instance, more);
  }

  /** Extension members go at the top level, beside the standard ones. */
  @JsonAnyGetter
  @Override
  public Map<String, Object> extensions() {
    return extensions;
  }
}
