package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.DeployPhase;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.web.ListPage.Choice;
import dev.branchyard.web.ListPage.Row;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Builds the {@link ListPage} of a listing: pure. */
@Pure
public final class ListPages {

  private ListPages() {}

  /** Labels of the sorts, in the order offered. */
  static final Map<EnvironmentListing.Sort, String> SORT_LABELS = sortLabels();

  /**
   * @param page the listing's page
   * @param query the query it answers
   * @param raw the query parameters as given, for the form and the links
   * @param now the time the page is for
   */
  public static ListPage of(
      EnvironmentListing.Page page,
      EnvironmentListing.Query query,
      Map<String, String> raw,
      Instant now) {
    return new ListPage(
        page.items().stream().map(v -> row(v, now)).toList(),
        page.total(),
        raw.getOrDefault("spec", ""),
        raw.getOrDefault("repo", ""),
        raw.getOrDefault("author", ""),
        raw.getOrDefault("phase", ""),
        query.sort().text(),
        page.nextCursor()
            .map(c -> "/environments?" + queryString(raw, Optional.of(c)))
            .orElse(null),
        "/environments/events?" + queryString(raw, query.cursor()),
        phases(),
        sorts(query.sort()),
        null);
  }

  /** The page for a query that could not be used: the form, the reason, no rows. */
  public static ListPage invalid(Map<String, String> raw, String error) {
    return new ListPage(
        List.of(),
        0,
        raw.getOrDefault("spec", ""),
        raw.getOrDefault("repo", ""),
        raw.getOrDefault("author", ""),
        raw.getOrDefault("phase", ""),
        raw.getOrDefault("sort", ""),
        null,
        null,
        phases(),
        sorts(EnvironmentListing.Sort.CREATED_DESC),
        error);
  }

  static Row row(EnvironmentView v, Instant now) {
    EnvironmentView.TriggerView t = v.trigger();
    long ready = v.components().stream().filter(c -> c.deployState() == DeployPhase.Ready).count();
    return new Row(
        v.name(),
        v.spec(),
        t.repo(),
        t.pullRequest() == null ? null : "#" + t.pullRequest(),
        CommitLinks.pullRequest(t.repo(), t.pullRequest()).orElse(null),
        t.branch(),
        t.author(),
        v.phase().name(),
        EnvironmentPages.tone(v.phase().name()),
        ready + "/" + v.components().size(),
        v.createdAt() == null ? null : v.createdAt().toString(),
        HumanTime.age(v.createdAt(), now),
        v.expiresAt() == null ? null : v.expiresAt().toString(),
        v.expiresAt() == null ? "not set yet" : HumanTime.relative(v.expiresAt(), now),
        v.url());
  }

  private static List<String> phases() {
    return Arrays.stream(EnvironmentPhase.values()).map(Enum::name).toList();
  }

  private static List<Choice> sorts(EnvironmentListing.Sort current) {
    List<Choice> choices = new ArrayList<>();
    SORT_LABELS.forEach((s, label) -> choices.add(new Choice(s.text(), label, s == current)));
    return choices;
  }

  private static String queryString(Map<String, String> raw, Optional<String> cursor) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String key : List.of("spec", "repo", "author", "phase", "sort")) {
      String value = raw.get(key);
      if (value != null && !value.isBlank()) {
        params.put(key, value);
      }
    }
    cursor.ifPresent(c -> params.put("cursor", c));
    return params.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static Map<EnvironmentListing.Sort, String> sortLabels() {
    Map<EnvironmentListing.Sort, String> labels = new LinkedHashMap<>();
    labels.put(EnvironmentListing.Sort.CREATED_DESC, "newest first");
    labels.put(EnvironmentListing.Sort.CREATED, "oldest first");
    labels.put(EnvironmentListing.Sort.EXPIRES, "expiring soonest");
    labels.put(EnvironmentListing.Sort.EXPIRES_DESC, "expiring last");
    labels.put(EnvironmentListing.Sort.NAME, "name");
    return labels;
  }
}
