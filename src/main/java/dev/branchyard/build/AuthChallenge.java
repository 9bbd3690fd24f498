package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The first challenge of a {@code WWW-Authenticate} header (RFC 7235), e.g. {@code Bearer
 * realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"}.
 *
 * @param scheme the scheme in lower case, e.g. {@code bearer} or {@code basic}
 * @param params the auth parameters, names in lower case, values unquoted
 */
@Pure
public record AuthChallenge(String scheme, Map<String, String> params) {

  public AuthChallenge {
    params = Map.copyOf(params);
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  /** The first challenge in {@code header}; empty if there is none or it is malformed. */
  public static Optional<AuthChallenge> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    Parser parser = new Parser(header);
    parser.skipSpaces();
    String scheme = parser.token();
    if (scheme.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    while (true) {
      parser.skipSpacesAndCommas();
      int start = parser.pos;
      String name = parser.token();
      parser.skipSpaces();
      if (name.isEmpty() || !parser.consume('=')) {
        // End of input, or the next challenge's scheme: only the first challenge is read.
        parser.pos = start;
        break;
      }
      parser.skipSpaces();
      Optional<String> value = parser.peek() == '"' ? parser.quoted() : Optional.of(parser.token());
      if (value.isEmpty()) {
        return Optional.empty();
      }
      params.putIfAbsent(name.toLowerCase(Locale.ROOT), value.get());
    }
    return Optional.of(new AuthChallenge(scheme.toLowerCase(Locale.ROOT), params));
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    char peek() {
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    boolean consume(char c) {
      if (peek() == c) {
        pos++;
        return true;
      }
      return false;
    }

    void skipSpaces() {
      while (peek() == ' ' || peek() == '\t') {
        pos++;
      }
    }

    void skipSpacesAndCommas() {
      while (peek() == ' ' || peek() == '\t' || peek() == ',') {
        pos++;
      }
    }

    /** An RFC 7230 token, which also covers unquoted parameter values. */
    String token() {
      int start = pos;
      while (pos < text.length() && isTokenChar(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    Optional<String> quoted() {
      pos++; // the opening quote
      StringBuilder value = new StringBuilder();
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '"') {
          return Optional.of(value.toString());
        }
        if (c == '\\' && pos < text.length()) {
          c = text.charAt(pos++);
        }
        value.append(c);
      }
      return Optional.empty();
    }

    private static boolean isTokenChar(char c) {
      return c > 32 && c < 127 && "\"(),;<=>?@[\\]{}".indexOf(c) < 0;
    }
  }
}
