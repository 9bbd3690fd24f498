package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.EnvironmentPhase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Filters, sorts and pages environments for the API ({@code GET /api/environments}) and the list
 * page. Pages are keyset pages: the cursor names the last environment shown (its sort key and
 * name), so environments created or deleted between two requests neither repeat nor get skipped.
 *
 * <p>Query parameters, all optional: {@code spec}, {@code repo} ({@code owner/name} or a git URL),
 * {@code author}, {@code phase} (one or more, comma-separated), {@code sort} (one of {@link Sort}'s
 * texts, default {@code -created}, newest first), {@code limit} (1 to {@value #MAX_LIMIT}, default
 * {@value #DEFAULT_LIMIT}) and {@code cursor} (the {@code nextCursor} of the previous page).
 */
@Pure
public final class EnvironmentListing {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private static final String CURSOR_VERSION = "1";

  private EnvironmentListing() {}

  /** Orders of a listing; {@code -} first means descending. Ties are broken by name. */
  public enum Sort {
    /** Oldest first. */
    CREATED("created", EnvironmentView::createdAt, 1),
    /** Newest first (the default). */
    CREATED_DESC("-created", EnvironmentView::createdAt, -1),
    /** Expiring soonest first; environments without a known expiry last. */
    EXPIRES("expires", EnvironmentView::expiresAt, 1),
    /** Expiring latest first; environments without a known expiry last. */
    EXPIRES_DESC("-expires", EnvironmentView::expiresAt, -1),
    NAME("name", v -> null, 1),
    NAME_DESC("-name", v -> null, -1);

    private final String text;
    private final Function<EnvironmentView, Instant> key;
    private final int direction;

    Sort(String text, Function<EnvironmentView, Instant> key, int direction) {
      this.text = text;
      this.key = key;
      this.direction = direction;
    }

    public String text() {
      return text;
    }

    private boolean byName() {
      return this == NAME || this == NAME_DESC;
    }

    /** The sort a query parameter names (case-insensitive). */
    public static Sort parse(String text) {
      for (Sort sort : values()) {
        if (sort.text.equalsIgnoreCase(text.strip())) {
          return sort;
        }
      }
      throw new InvalidQueryException(
          "sort",
          "unknown sort '"
              + text
              + "'; use one of "
              + Arrays.stream(values()).map(Sort::text).collect(Collectors.joining(", "))
              + " ('-' first for descending)");
    }
  }

  /**
   * What to list.
   *
   * @param spec only environments of this stack
   * @param repo only environments triggered from this repository ({@code owner/name} matches its
   *     git URLs too; case-insensitive)
   * @param author only environments asked for by this login (case-insensitive)
   * @param phases only environments in one of these phases; empty for all
   * @param sort the order
   * @param limit the most environments on one page
   * @param cursor where the previous page ended
   */
  public record Query(
      Optional<String> spec,
      Optional<String> repo,
      Optional<String> author,
      Set<EnvironmentPhase> phases,
      Sort sort,
      int limit,
      Optional<String> cursor) {

    public Query {
      Objects.requireNonNull(spec, "spec");
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(author, "author");
      phases = phases.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(phases));
      Objects.requireNonNull(sort, "sort");
      Objects.requireNonNull(cursor, "cursor");
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidQueryException(
            "limit", "limit " + limit + " is out of range; use 1 to " + MAX_LIMIT);
      }
    }

    /** Everything, newest first, the first page. */
    public static Query all() {
      return new Query(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Set.of(),
          Sort.CREATED_DESC,
          DEFAULT_LIMIT,
          Optional.empty());
    }

    /**
     * A query from request parameters as given (null or blank: not given).
     *
     * @throws InvalidQueryException naming the parameter and what would be valid
     */
    public static Query parse(
        String spec,
        String repo,
        String author,
        String phase,
        String sort,
        String limit,
        String cursor) {
      return new Query(
          given(spec),
          given(repo),
          given(author),
          given(phase).map(EnvironmentListing::phases).orElse(Set.of()),
          given(sort).map(Sort::parse).orElse(Sort.CREATED_DESC),
          given(limit).map(EnvironmentListing::limit).orElse(DEFAULT_LIMIT),
          given(cursor));
    }

    public Query withCursor(Optional<String> next) {
      return new Query(spec, repo, author, phases, sort, limit, next);
    }

    /** Whether an environment passes the filters (ignoring sort and paging). */
    public boolean matches(EnvironmentView view) {
      return spec.map(s -> s.equals(view.spec())).orElse(true)
          && repo.map(r -> sameRepo(r, view.trigger().repo())).orElse(true)
          && author.map(a -> a.equalsIgnoreCase(view.trigger().author())).orElse(true)
          && (phases.isEmpty() || phases.contains(view.phase()));
    }
  }

  /**
   * One page.
   *
   * @param items the environments on this page, in order
   * @param total how many environments pass the filters, on all pages
   * @param nextCursor the cursor of the next page; empty on the last page
   */
  public record Page(List<EnvironmentView> items, int total, Optional<String> nextCursor) {
    public Page {
      items = List.copyOf(items);
      Objects.requireNonNull(nextCursor, "nextCursor");
    }
  }

  /**
   * The page of {@code environments} the query asks for.
   *
   * @throws InvalidQueryException when the cursor is not one this listing made, or was made for
   *     another sort
   */
  public static Page list(Collection<EnvironmentView> environments, Query query) {
    Comparator<EnvironmentView> order = comparator(query.sort());
    List<EnvironmentView> matching =
        environments.stream().filter(query::matches).sorted(order).toList();
    List<EnvironmentView> after = matching;
    if (query.cursor().isPresent()) {
      Position position = decode(query.cursor().get(), query.sort());
      after =
          matching.stream()
              .filter(v -> compare(query.sort(), positionOf(v, query.sort()), position) > 0)
              .toList();
    }
    List<EnvironmentView> items =
        new ArrayList<>(after.subList(0, Math.min(query.limit(), after.size())));
    Optional<String> next =
        after.size() > items.size()
            ? Optional.of(
                encode(query.sort(), positionOf(items.get(items.size() - 1), query.sort())))
            : Optional.empty();
    return new Page(items, matching.size(), next);
  }

  /** Where an environment stands in a sort: its key (null when unknown) and name. */
  private record Position(Instant key, String name) {}

  private static Position positionOf(EnvironmentView view, Sort sort) {
    return new Position(sort.key.apply(view), Objects.requireNonNullElse(view.name(), ""));
  }

  private static Comparator<EnvironmentView> comparator(Sort sort) {
    return (a, b) -> compare(sort, positionOf(a, sort), positionOf(b, sort));
  }

  private static int compare(Sort sort, Position a, Position b) {
    if (sort.byName()) {
      return sort.direction * a.name().compareTo(b.name());
    }
    int byKey;
    if (a.key() == null || b.key() == null) {
      // Unknown keys (no expiry yet) go last whichever the direction.
      byKey = a.key() == null ? (b.key() == null ? 0 : 1) : -1;
    } else {
      byKey = sort.direction * a.key().compareTo(b.key());
    }
    return byKey != 0 ? byKey : a.name().compareTo(b.name());
  }

  private static String encode(Sort sort, Position position) {
    String text =
        String.join(
            "|",
            CURSOR_VERSION,
            sort.text(),
            position.key() == null ? "" : position.key().toString(),
            position.name());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Position decode(String cursor, Sort sort) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw badCursor(cursor);
    }
    String[] parts = text.split("\\|", 4);
    if (parts.length != 4 || !parts[0].equals(CURSOR_VERSION) || parts[3].isEmpty()) {
      throw badCursor(cursor);
    }
    if (!parts[1].equals(sort.text())) {
      throw new InvalidQueryException(
          "cursor",
          "this cursor continues a listing sorted by "
              + parts[1]
              + ", not "
              + sort.text()
              + "; keep sort="
              + parts[1]
              + " or start again without a cursor");
    }
    try {
      return new Position(parts[2].isEmpty() ? null : Instant.parse(parts[2]), parts[3]);
    } catch (DateTimeParseException e) {
      throw badCursor(cursor);
    }
  }

  private static InvalidQueryException badCursor(String cursor) {
    return new InvalidQueryException(
        "cursor",
        "cursor '"
            + cursor
            + "' is not one this API made; pass the nextCursor of the previous page as it is, or"
            + " leave it out to start from the first page");
  }

  private static Set<EnvironmentPhase> phases(String text) {
    Set<EnvironmentPhase> phases = EnumSet.noneOf(EnvironmentPhase.class);
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      phases.add(
          Arrays.stream(EnvironmentPhase.values())
              .filter(p -> p.name().equalsIgnoreCase(part.strip()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidQueryException(
                          "phase",
                          "unknown phase '"
                              + part.strip()
                              + "'; use one or more (comma-separated) of "
                              + Arrays.stream(EnvironmentPhase.values())
                                  .map(Enum::name)
                                  .collect(Collectors.joining(", ")))));
    }
    return phases;
  }

  private static int limit(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new InvalidQueryException(
          "limit", "limit '" + text + "' is not a number; use 1 to " + MAX_LIMIT);
    }
  }

  private static Optional<String> given(String text) {
    return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
  }

  /** {@code acme/shop}, {@code https://github.com/acme/shop.git} and {@code ACME/Shop} agree. */
  static boolean sameRepo(String wanted, String repo) {
    return repo != null && repoKey(wanted).equals(repoKey(repo));
  }

  private static String repoKey(String repo) {
    return repo.strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("/+$", "")
        .replaceAll("\\.git$", "")
        .replaceAll("^[a-z][a-z0-9+.-]*://[^/]+/", "")
        .replaceAll("^git@[^:]+:", "");
  }
}
