package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.web.EnvironmentListing.Page;
import dev.branchyard.web.EnvironmentListing.Query;
import dev.branchyard.web.EnvironmentListing.Sort;
import dev.branchyard.web.EnvironmentView.TriggerView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvironmentListingTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static EnvironmentView env(
      String name,
      String spec,
      String repo,
      String author,
      EnvironmentPhase phase,
      int createdMinute,
      Integer expiresMinute) {
    return new EnvironmentView(
        name,
        spec,
        new TriggerView(TriggerSource.PullRequest, repo, 1, author, "b", "main", null, false),
        phase,
        null,
        null,
        null,
        null,
        List.of(),
        T0.plusSeconds(60L * createdMinute),
        expiresMinute == null ? null : T0.plusSeconds(60L * expiresMinute),
        false,
        List.of(),
        List.of(),
        List.of());
  }

  private static final List<EnvironmentView> ENVS =
      List.of(
          env("shop-web-pr1", "shop", "acme/web", "alice", EnvironmentPhase.Ready, 1, 500),
          env("shop-api-pr2", "shop", "acme/api", "bob", EnvironmentPhase.Building, 2, 300),
          env("blog-web-pr3", "blog", "acme/web", "Alice", EnvironmentPhase.Failed, 3, null),
          env("shop-web-pr4", "shop", "acme/web", "carol", EnvironmentPhase.Ready, 4, 100));

  private static List<String> names(Page page) {
    return page.items().stream().map(EnvironmentView::name).toList();
  }

  @Test
  void listsNewestFirstByDefault() {
    Page page = EnvironmentListing.list(ENVS, Query.all());

    assertThat(names(page))
        .containsExactly("shop-web-pr4", "blog-web-pr3", "shop-api-pr2", "shop-web-pr1");
    assertThat(page.total()).isEqualTo(4);
    assertThat(page.nextCursor()).isEmpty();
  }

  @Test
  void filtersBySpecRepoAuthorAndPhaseTogether() {
    Query query = Query.parse("shop", "acme/web", null, "ready", null, null, null);

    assertThat(names(EnvironmentListing.list(ENVS, query)))
        .containsExactly("shop-web-pr4", "shop-web-pr1");
    assertThat(
            names(
                EnvironmentListing.list(
                    ENVS, Query.parse(null, null, "alice", null, "name", null, null))))
        .containsExactly("blog-web-pr3", "shop-web-pr1");
    assertThat(
            names(
                EnvironmentListing.list(
                    ENVS, Query.parse(null, null, null, "Building,Failed", "created", null, null))))
        .containsExactly("shop-api-pr2", "blog-web-pr3");
  }

  @Test
  void matchesARepoGivenAsOwnerNameAgainstItsGitUrl() {
    List<EnvironmentView> envs =
        List.of(
            env("a", "shop", "https://github.com/Acme/Web.git", "x", EnvironmentPhase.Ready, 1, 1));

    assertThat(
            EnvironmentListing.list(
                    envs, Query.parse(null, "acme/web", null, null, null, null, null))
                .items())
        .hasSize(1);
    assertThat(
            EnvironmentListing.list(
                    envs, Query.parse(null, "acme/we", null, null, null, null, null))
                .items())
        .isEmpty();
  }

  @Test
  void sortsByExpiryWithUnknownExpiryLastInBothDirections() {
    assertThat(names(EnvironmentListing.list(ENVS, sorted("expires"))))
        .containsExactly("shop-web-pr4", "shop-api-pr2", "shop-web-pr1", "blog-web-pr3");
    assertThat(names(EnvironmentListing.list(ENVS, sorted("-expires"))))
        .containsExactly("shop-web-pr1", "shop-api-pr2", "shop-web-pr4", "blog-web-pr3");
  }

  @Test
  void pagesThroughEveryEnvironmentExactlyOnceWithCursors() {
    for (Sort sort : Sort.values()) {
      Query query = Query.parse(null, null, null, null, sort.text(), "3", null);
      List<String> seen = new ArrayList<>();
      Page page = EnvironmentListing.list(ENVS, query);
      seen.addAll(names(page));
      assertThat(page.items()).hasSize(3);
      assertThat(page.nextCursor()).isPresent();
      page = EnvironmentListing.list(ENVS, query.withCursor(page.nextCursor()));
      seen.addAll(names(page));
      assertThat(page.nextCursor()).as(sort.text()).isEmpty();
      assertThat(seen)
          .as(sort.text())
          .containsExactlyElementsOf(names(EnvironmentListing.list(ENVS, sorted(sort.text()))));
    }
  }

  @Test
  void aCursorNeitherRepeatsNorSkipsWhenEnvironmentsComeAndGoBetweenPages() {
    Query query = Query.parse(null, null, null, null, "created", "2", null);
    Page first = EnvironmentListing.list(ENVS, query);
    assertThat(names(first)).containsExactly("shop-web-pr1", "shop-api-pr2");

    List<EnvironmentView> changed = new ArrayList<>(ENVS);
    changed.remove(0);
    changed.add(env("late-pr9", "shop", "acme/web", "dan", EnvironmentPhase.Pending, 9, null));
    Page second = EnvironmentListing.list(changed, query.withCursor(first.nextCursor()));

    assertThat(names(second)).containsExactly("blog-web-pr3", "shop-web-pr4");
    assertThat(second.total()).isEqualTo(4);
  }

  @Test
  void rejectsACursorMadeForAnotherSortSayingWhichSortItNeeds() {
    Page first =
        EnvironmentListing.list(ENVS, Query.parse(null, null, null, null, "name", "1", null));

    assertThatThrownBy(
            () ->
                EnvironmentListing.list(
                    ENVS,
                    Query.parse(
                        null, null, null, null, "expires", "1", first.nextCursor().orElseThrow())))
        .isInstanceOfSatisfying(
            InvalidQueryException.class, e -> assertThat(e.parameter()).isEqualTo("cursor"))
        .hasMessageContaining("sort=name");
  }

  @Test
  void rejectsACursorItDidNotMake() {
    for (String cursor : List.of("not base64!", "aGVsbG8", "MXxuYW1lfHw")) {
      assertThatThrownBy(
              () ->
                  EnvironmentListing.list(
                      ENVS, Query.parse(null, null, null, null, "name", null, cursor)))
          .as(cursor)
          .isInstanceOf(InvalidQueryException.class)
          .hasMessageContaining("nextCursor of the previous page");
    }
  }

  @Test
  void rejectsLimitsOutsideOneToTheMaximumAndNonNumbers() {
    for (String limit : List.of("0", "-1", "201", "ten")) {
      assertThatThrownBy(() -> Query.parse(null, null, null, null, null, limit, null))
          .as(limit)
          .isInstanceOfSatisfying(
              InvalidQueryException.class, e -> assertThat(e.parameter()).isEqualTo("limit"))
          .hasMessageContaining("1 to 200");
    }
    assertThat(Query.parse(null, null, null, null, null, "200", null).limit()).isEqualTo(200);
  }

  @Test
  void rejectsAnUnknownPhaseListingTheValidOnes() {
    assertThatThrownBy(() -> Query.parse(null, null, null, "Ready,Running", null, null, null))
        .isInstanceOfSatisfying(
            InvalidQueryException.class, e -> assertThat(e.parameter()).isEqualTo("phase"))
        .hasMessageContaining("'Running'")
        .hasMessageContaining("Pending, Queued, Resolving, Building, Deploying, Ready");
  }

  @Test
  void rejectsAnUnknownSortListingTheValidOnes() {
    assertThatThrownBy(() -> Query.parse(null, null, null, null, "age", null, null))
        .isInstanceOfSatisfying(
            InvalidQueryException.class, e -> assertThat(e.parameter()).isEqualTo("sort"))
        .hasMessageContaining("created, -created, expires, -expires, name, -name");
  }

  @Test
  void treatsBlankParametersAsNotGiven() {
    Query query = Query.parse(" ", "", null, "", "", " ", "");

    assertThat(query).isEqualTo(Query.all());
    assertThat(query.phases()).isEqualTo(Set.of());
    assertThat(query.cursor()).isEqualTo(Optional.empty());
  }

  private static Query sorted(String sort) {
    return Query.parse(null, null, null, null, sort, null, null);
  }
}
