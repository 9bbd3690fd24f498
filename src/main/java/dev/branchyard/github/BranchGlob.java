package dev.branchyard.github;

import java.util.regex.Pattern;

/**
 * A {@code triggers.baseBranches} pattern (docs/environment-spec.md): {@code *} matches within one
 * path segment, {@code **} across segments, {@code ?} one character other than {@code /};
 * everything else matches itself.
 */
final class BranchGlob {

  private final Pattern regex;

  private BranchGlob(Pattern regex) {
    this.regex = regex;
  }

  static BranchGlob of(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        regex.append("(?:.*/)?"); // "**/x" also matches a top-level "x"
        i += 3;
      } else if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (c == '*') {
        regex.append("[^/]*");
        i++;
      } else if (c == '?') {
        regex.append("[^/]");
        i++;
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return new BranchGlob(Pattern.compile(regex.toString()));
  }

  boolean matches(String branch) {
    return regex.matcher(branch).matches();
  }
}
