package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.web.Workloads.PodState;
import dev.branchyard.web.Workloads.WorkloadEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentPagesTest {

  private static final Instant NOW = PageFixtures.CREATED.plusSeconds(3 * 3600 + 5 * 60);

  private static EnvironmentView ready() {
    return EnvironmentViews.of(
        PageFixtures.withStatus(
            PageFixtures.pending("shop-pr-12", "shop", "acme/shop", 12),
            PageFixtures.status(EnvironmentPhase.Ready, "acme/shop", 3, "shop-pr-12")));
  }

  @Test
  void showsEachComponentsRefWhyAndLinkedCommit() {
    EnvironmentPage page = EnvironmentPages.of(ready(), Optional.empty(), Workloads.none(), NOW);

    assertThat(page.components()).hasSize(3);
    EnvironmentPage.ComponentRow web = page.components().get(0);
    assertThat(web.refKind()).isEqualTo("pull request head");
    assertThat(web.shortSha()).isEqualTo("0123456");
    assertThat(web.commitUrl())
        .isEqualTo("https://github.com/acme/shop/commit/" + PageFixtures.HEAD);
    assertThat(page.components().get(1).reason())
        .isEqualTo("no branch feature/login; fell back to main");
    assertThat(page.tone()).isEqualTo("ok");
    assertThat(page.age()).isEqualTo("3h 5m");
  }

  @Test
  void listsTheTimelineNewestFirst() {
    EnvironmentPage page = EnvironmentPages.of(ready(), Optional.empty(), Workloads.none(), NOW);
    assertThat(page.timeline())
        .extracting(EnvironmentPage.TimelineRow::reason)
        .containsExactly("BuildSlow", "Resolved", "Created");
    assertThat(page.timeline().get(0).warning()).isTrue();
  }

  @Test
  void showsAnExtensionTheControllerHasNotTakenUpYet() {
    Instant extended = PageFixtures.CREATED.plusSeconds(12 * 3600);
    EnvironmentPage page =
        EnvironmentPages.of(ready(), Optional.of(extended), Workloads.none(), NOW);
    assertThat(page.expiry().at()).isEqualTo(extended.toString());
    assertThat(page.expiry().extended()).isTrue();
    assertThat(page.expiry().text()).isEqualTo("in 8h 55m");

    EnvironmentPage older =
        EnvironmentPages.of(
            ready(), Optional.of(PageFixtures.CREATED.plusSeconds(60)), Workloads.none(), NOW);
    assertThat(older.expiry().extended()).isFalse();
    assertThat(older.expiry().text()).isEqualTo("in 4h 55m");
  }

  @Test
  void putsPodsAndTheirNewestEventsUnderTheirComponent() {
    List<WorkloadEvent> events =
        List.of(
            new WorkloadEvent(
                NOW.minusSeconds(10), "Warning", "BackOff", "Pod/web-1", "back-off", 4),
            new WorkloadEvent(NOW.minusSeconds(20), "Normal", "Pulled", "Pod/web-1", "pulled", 1),
            new WorkloadEvent(NOW.minusSeconds(30), "Normal", "A", "Pod/web-1", "a", 1),
            new WorkloadEvent(NOW.minusSeconds(40), "Normal", "B", "Pod/web-1", "b", 1),
            new WorkloadEvent(NOW.minusSeconds(50), "Normal", "C", "Pod/web-1", "c", 1),
            new WorkloadEvent(NOW.minusSeconds(60), "Normal", "D", "Pod/web-1", "d", 1));
    Workloads workloads =
        new Workloads(
            Map.of(
                "web",
                List.of(
                    new PodState("web-1", "Running", 0, 1, 3, "web: waiting, CrashLoopBackOff"))),
            Map.of("web", events),
            null);

    EnvironmentPage.ComponentRow web =
        EnvironmentPages.of(ready(), Optional.empty(), workloads, NOW).components().get(0);

    assertThat(web.pods())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.ready()).isEqualTo("0/1");
              assertThat(p.allReady()).isFalse();
              assertThat(p.restarts()).isEqualTo(3);
              assertThat(p.lastState()).contains("CrashLoopBackOff");
            });
    assertThat(web.events()).hasSize(EnvironmentPages.EVENTS_PER_COMPONENT);
    assertThat(web.events().get(0).message()).isEqualTo("back-off (x4)");
    assertThat(web.events().get(0).warning()).isTrue();
  }

  @Test
  void showsAnEnvironmentTheControllerHasNotReachedAsPending() {
    EnvironmentPage page =
        EnvironmentPages.of(
            EnvironmentViews.of(PageFixtures.pending("blog-pr-7", "blog", "acme/blog", 7)),
            Optional.empty(),
            Workloads.none(),
            NOW);
    assertThat(page.phase()).isEqualTo("Pending");
    assertThat(page.tone()).isEqualTo("busy");
    assertThat(page.components()).isEmpty();
    assertThat(page.expiry().text()).isEqualTo("not set yet");
    assertThat(page.trigger().pullRequestUrl()).isEqualTo("https://github.com/acme/blog/pull/7");
  }

  @Test
  void keysTheBuildsSoOpenLogViewersSurviveUpdatesThatKeepThem() {
    EnvironmentPage page = EnvironmentPages.of(ready(), Optional.empty(), Workloads.none(), NOW);
    assertThat(page.builds()).hasSize(3);
    assertThat(page.buildsKey())
        .isEqualTo(
            String.join(",", page.builds().stream().map(EnvironmentPage.BuildRow::name).toList()));
  }
}
