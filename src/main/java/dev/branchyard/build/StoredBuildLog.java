package dev.branchyard.build;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A build's log as stored in its ConfigMap: the kept text under {@link #DATA_KEY}, and in
 * annotations what readers on other replicas need (line counts, attempt, whether it is complete),
 * so {@code kubectl get configmap <build>-log -o yaml} shows it all.
 *
 * @param log the kept log
 * @param attempt the attempt that wrote last
 * @param complete whether that attempt has ended
 */
@Pure
record StoredBuildLog(KeptLog log, int attempt, boolean complete) {

  static final String DATA_KEY = "log";
  static final String PREFIX = "build-log.branchyard.dev/";
  static final String COMPLETE = PREFIX + "complete";
  static final String ATTEMPT = PREFIX + "attempt";
  static final String TOTAL_LINES = PREFIX + "lines";
  static final String HEAD_LINES = PREFIX + "head-lines";
  static final String OMITTED_LINES = PREFIX + "omitted-lines";
  static final String OMITTED_BYTES = PREFIX + "omitted-bytes";
  static final String IMAGE_BUILD = PREFIX + "image-build";

  private static final int MAX_NAME = 253;
  private static final String SUFFIX = "-log";

  /**
   * The ConfigMap's name: {@code <build>-log}, or for builds whose names are too long for that, a
   * shortened name with a hash of the full one, still unique and at most 253 characters.
   */
  static String configMapName(String buildName) {
    if (buildName.length() + SUFFIX.length() <= MAX_NAME) {
      return buildName + SUFFIX;
    }
    String hash = sha256(buildName).substring(0, 10);
    String start = buildName.substring(0, MAX_NAME - SUFFIX.length() - hash.length() - 1);
    // A DNS subdomain's parts must end with a letter or digit.
    start = start.replaceAll("[.-]+$", "");
    return start + "-" + hash + SUFFIX;
  }

  /** The annotations describing this log, for the build {@code buildName}. */
  Map<String, String> annotations(String buildName) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(IMAGE_BUILD, buildName);
    annotations.put(ATTEMPT, Integer.toString(attempt));
    annotations.put(COMPLETE, Boolean.toString(complete));
    annotations.put(TOTAL_LINES, Long.toString(log.totalLines()));
    annotations.put(HEAD_LINES, Integer.toString(log.headLines()));
    annotations.put(OMITTED_LINES, Long.toString(log.omittedLines()));
    annotations.put(OMITTED_BYTES, Long.toString(log.omittedBytes()));
    return annotations;
  }

  /**
   * Reads a stored log back. Missing or unreadable counts (e.g. a hand-edited ConfigMap) are taken
   * from the text as if every line were kept.
   */
  static StoredBuildLog of(Map<String, String> annotations, String text) {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    String body = text == null ? "" : text;
    int lines = new KeptLog(body, 0, 0, 0, 0).lines().size();
    KeptLog log =
        new KeptLog(
            body,
            number(a.get(TOTAL_LINES), lines),
            (int) Math.min(Integer.MAX_VALUE, number(a.get(HEAD_LINES), lines)),
            number(a.get(OMITTED_LINES), 0),
            number(a.get(OMITTED_BYTES), 0));
    int attempt = (int) Math.min(Integer.MAX_VALUE, number(a.get(ATTEMPT), 1));
    return new StoredBuildLog(log, attempt, "true".equals(a.get(COMPLETE)));
  }

  private static long number(String value, long fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      return parsed >= 0 ? parsed : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
