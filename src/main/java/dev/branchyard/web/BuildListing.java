package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.build.ImageBuildPhase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Builds newest first, optionally of one phase, in keyset pages: the cursor names the last build
 * shown (creation time and name).
 */
@Pure
public final class BuildListing {

  private BuildListing() {}

  /**
   * One page.
   *
   * @param items the builds, newest first
   * @param total how many builds pass the filter
   * @param nextCursor the next page's cursor; empty on the last page
   */
  public record Page(List<BuildView> items, int total, Optional<String> nextCursor) {}

  private static final Comparator<BuildView> NEWEST_FIRST =
      Comparator.comparing(
              (BuildView b) -> Objects.requireNonNullElse(b.createdAt(), Instant.EPOCH),
              Comparator.reverseOrder())
          .thenComparing(BuildView::name);

  /**
   * @throws InvalidQueryException for an unknown phase, a limit out of range or a foreign cursor
   */
  public static Page list(Collection<BuildView> builds, String phase, String limit, String cursor) {
    Optional<ImageBuildPhase> wanted = blank(phase) ? Optional.empty() : Optional.of(phase(phase));
    int size = EnvironmentListing.Query.parse(null, null, null, null, null, limit, null).limit();
    List<BuildView> matching =
        builds.stream()
            .filter(b -> wanted.map(p -> p == b.phase()).orElse(true))
            .sorted(NEWEST_FIRST)
            .toList();
    List<BuildView> after = matching;
    if (!blank(cursor)) {
      BuildView last = decode(cursor);
      after = matching.stream().filter(b -> NEWEST_FIRST.compare(b, last) > 0).toList();
    }
    List<BuildView> items = after.subList(0, Math.min(size, after.size()));
    Optional<String> next =
        after.size() > items.size()
            ? Optional.of(encode(items.get(items.size() - 1)))
            : Optional.empty();
    return new Page(List.copyOf(items), matching.size(), next);
  }

  private static ImageBuildPhase phase(String text) {
    return Arrays.stream(ImageBuildPhase.values())
        .filter(p -> p.name().equalsIgnoreCase(text.strip()))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidQueryException(
                    "phase",
                    "unknown build phase '"
                        + text
                        + "'; use one of "
                        + Arrays.stream(ImageBuildPhase.values())
                            .map(Enum::name)
                            .collect(Collectors.joining(", "))));
  }

  private static String encode(BuildView last) {
    String text =
        "b1|" + Objects.requireNonNullElse(last.createdAt(), Instant.EPOCH) + "|" + last.name();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static BuildView decode(String cursor) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8)
              .split("\\|", 3);
      if (parts.length == 3 && parts[0].equals("b1") && !parts[2].isEmpty()) {
        return new BuildView(
            parts[2],
            null,
            null,
            null,
            null,
            null,
            Instant.parse(parts[1]),
            null,
            null,
            null,
            null,
            null,
            null,
            null);
      }
    } catch (RuntimeException e) {
      // Falls through to the error below.
    }
    throw new InvalidQueryException(
        "cursor",
        "cursor '"
            + cursor
            + "' is not one this API made; pass the nextCursor of the previous page as it is, or"
            + " leave it out to start from the first page");
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }
}
