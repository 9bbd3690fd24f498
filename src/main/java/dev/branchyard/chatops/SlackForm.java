package dev.branchyard.chatops;

import dev.branchyard.Pure;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a Slack slash command request ({@code application/x-www-form-urlencoded}), read
 * from the raw body that was checked against its signature: {@code user_id}, {@code user_name},
 * {@code command}, {@code text}, {@code response_url}, ... Repeated fields keep their first value.
 */
@Pure
public final class SlackForm {

  private SlackForm() {}

  public static Map<String, String> parse(byte[] body) {
    Map<String, String> fields = new LinkedHashMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return fields;
    }
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      fields.putIfAbsent(name, value);
    }
    return fields;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A malformed escape: keep the text as sent rather than refusing the whole request.
      return text;
    }
  }
}
