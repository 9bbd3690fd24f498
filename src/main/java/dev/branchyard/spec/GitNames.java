package dev.branchyard.spec;

import java.util.regex.Pattern;

/** Git's rules for branch and tag names ({@code git check-ref-format}) and commit SHAs. */
final class GitNames {

  static final String REF_NAME_RULE =
      "a branch or tag name may contain '/', but no spaces, '..', '//', '@{', or any of ~^:?*[\\,"
          + " and may not start or end with '/' or '.', nor end with '.lock'";

  private static final Pattern FULL_SHA = Pattern.compile("[0-9a-fA-F]{40}");

  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{7,39}");

  private GitNames() {}

  static boolean isFullSha(String value) {
    return FULL_SHA.matcher(value).matches();
  }

  /**
   * Whether a value is most likely an abbreviated commit SHA: 7 to 39 hex digits mixing letters and
   * digits. All-digit values such as {@code 20240101} are left alone because they are common tag
   * names.
   */
  static boolean looksLikeShortSha(String value) {
    return HEX.matcher(value).matches()
        && value.chars().anyMatch(Character::isDigit)
        && value.chars().anyMatch(Character::isLetter);
  }

  /** {@code git check-ref-format --branch} rules, for a branch or tag name. */
  static boolean isRefName(String name) {
    if (name.isEmpty()
        || name.length() > 255
        || name.startsWith("/")
        || name.endsWith("/")
        || name.startsWith(".")
        || name.endsWith(".")
        || name.endsWith(".lock")
        || name.startsWith("-")
        || name.contains("..")
        || name.contains("//")
        || name.contains("/.")
        || name.contains("@{")
        || name.equals("@")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c == 0x7f || "~^:?*[\\".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** A branch glob: a ref name where {@code *} and {@code ?} may stand for parts. */
  static boolean isRefGlob(String pattern) {
    return !pattern.isEmpty()
        && isRefName(pattern.replace("**", "x").replace('*', 'x').replace('?', 'x'));
  }
}
