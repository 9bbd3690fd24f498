package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.testing.MutableClock;
import dev.branchyard.testing.SpecYaml;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpecCatalogTest {

  private static final String DIR = "directory:env-specs";
  private static final String GIT = "git:acme/specs@main";
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  private final SpecParser parser = new SpecParser();
  private final MutableClock clock = new MutableClock(T0);
  private final SpecCatalog catalog = new SpecCatalog(clock);

  @Test
  void loadsEveryValidSpecOfASnapshotWithWhereItCameFrom() {
    CatalogChange change =
        catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop"), valid("blog.yaml", "blog")));

    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("blog", "shop");
    LoadedSpec shop = catalog.get("shop").orElseThrow();
    assertThat(shop.sourceId()).isEqualTo(DIR);
    assertThat(shop.file()).isEqualTo("shop.yaml");
    assertThat(shop.revision()).isEqualTo("r1");
    assertThat(shop.loadedAt()).isEqualTo(T0);
    assertThat(change.loaded()).extracting(LoadedSpec::name).containsExactly("blog", "shop");
    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.version()).isEqualTo(1);
  }

  @Test
  void replacesASpecWhenItsFileChanges() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop", "web")));
    clock.advance(Duration.ofMinutes(1));

    CatalogChange change = catalog.apply(DIR, snapshot("r2", valid("shop.yaml", "shop", "api")));

    LoadedSpec shop = catalog.get("shop").orElseThrow();
    assertThat(shop.spec().component("api")).isPresent();
    assertThat(shop.revision()).isEqualTo("r2");
    assertThat(shop.loadedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(change.loaded()).containsExactly(shop);
    assertThat(change.removed()).isEmpty();
  }

  @Test
  void keepsRevisionAndVersionWhenAReloadFindsTheSameSpec() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    clock.advance(Duration.ofMinutes(1));
    List<CatalogChange> heard = new ArrayList<>();
    catalog.addListener(heard::add);

    CatalogChange change = catalog.apply(DIR, snapshot("r2", valid("shop.yaml", "shop")));

    assertThat(change.isEmpty()).isTrue();
    assertThat(catalog.version()).isEqualTo(1);
    assertThat(heard).isEmpty();
    assertThat(catalog.get("shop").orElseThrow().revision()).isEqualTo("r1");
    assertThat(catalog.get("shop").orElseThrow().loadedAt()).isEqualTo(T0);
  }

  @Test
  void keepsTheLastGoodSpecWhenItsFileTurnsInvalid() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    LoadedSpec good = catalog.get("shop").orElseThrow();

    CatalogChange change = catalog.apply(DIR, snapshot("r2", invalid("shop.yaml", "shop")));

    assertThat(catalog.get("shop")).contains(good);
    assertThat(catalog.problems()).hasSize(1);
    SpecProblem problem = catalog.problems().get(0);
    assertThat(problem.sourceId()).isEqualTo(DIR);
    assertThat(problem.file()).isEqualTo("shop.yaml");
    assertThat(problem.revision()).isEqualTo("r2");
    assertThat(problem.errors()).hasSize(2).allMatch(e -> e.file().equals("shop.yaml"));
    assertThat(problem.kept()).contains(good);
    assertThat(change.problems()).containsExactly(problem);
    assertThat(change.loaded()).isEmpty();
    assertThat(change.removed()).isEmpty();
  }

  @Test
  void reportsAnInvalidNewFileWithoutLoadingAnything() {
    catalog.apply(DIR, snapshot("r1", invalid("shop.yaml", "shop")));

    assertThat(catalog.all()).isEmpty();
    assertThat(catalog.problems()).singleElement().satisfies(p -> assertThat(p.kept()).isEmpty());
  }

  @Test
  void clearsTheProblemAndLoadsTheFixOnceTheFileIsValidAgain() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop", "web")));
    catalog.apply(DIR, snapshot("r2", invalid("shop.yaml", "shop")));

    CatalogChange change = catalog.apply(DIR, snapshot("r3", valid("shop.yaml", "shop", "api")));

    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.get("shop").orElseThrow().revision()).isEqualTo("r3");
    assertThat(change.resolved()).extracting(SpecProblem::file).containsExactly("shop.yaml");
    assertThat(change.loaded()).extracting(LoadedSpec::name).containsExactly("shop");
  }

  @Test
  void reportsAStillInvalidFileOnlyOnceButFollowsItsRevision() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    catalog.apply(DIR, snapshot("r2", invalid("shop.yaml", "shop")));
    long version = catalog.version();

    CatalogChange change = catalog.apply(DIR, snapshot("r3", invalid("shop.yaml", "shop")));

    assertThat(change.isEmpty()).isTrue();
    assertThat(catalog.version()).isEqualTo(version);
    assertThat(catalog.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.revision()).isEqualTo("r3"));
  }

  @Test
  void removesASpecWhoseFileLeftTheSource() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop"), valid("blog.yaml", "blog")));

    CatalogChange change = catalog.apply(DIR, snapshot("r2", valid("blog.yaml", "blog")));

    assertThat(catalog.get("shop")).isEmpty();
    assertThat(change.removed()).extracting(LoadedSpec::name).containsExactly("shop");
  }

  @Test
  void removesTheLastGoodSpecAndItsProblemsWhenABrokenFileIsDeleted() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    catalog.apply(DIR, snapshot("r2", invalid("shop.yaml", "shop")));

    CatalogChange change = catalog.apply(DIR, snapshot("r3"));

    assertThat(catalog.all()).isEmpty();
    assertThat(catalog.problems()).isEmpty();
    assertThat(change.removed()).extracting(LoadedSpec::name).containsExactly("shop");
    assertThat(change.resolved()).extracting(SpecProblem::file).containsExactly("shop.yaml");
  }

  @Test
  void replacesTheStackWhenAFileRenamesIt() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));

    CatalogChange change = catalog.apply(DIR, snapshot("r2", valid("shop.yaml", "store")));

    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("store");
    assertThat(change.removed()).extracting(LoadedSpec::name).containsExactly("shop");
    assertThat(change.loaded()).extracting(LoadedSpec::name).containsExactly("store");
  }

  @Test
  void keepsThePreviousSpecAndReportsBothFilesWhenTwoFilesOfASourceDeclareOneStack() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop", "web")));
    LoadedSpec good = catalog.get("shop").orElseThrow();

    catalog.apply(
        DIR,
        snapshot("r2", valid("shop.yaml", "shop", "api"), valid("shop-copy.yaml", "shop", "db")));

    assertThat(catalog.get("shop")).contains(good);
    assertThat(catalog.problems())
        .extracting(SpecProblem::file)
        .containsExactly("shop-copy.yaml", "shop.yaml");
    assertThat(catalog.problems())
        .allSatisfy(
            p ->
                assertThat(p.errors())
                    .singleElement()
                    .satisfies(
                        e ->
                            assertThat(e.message())
                                .contains("declared by more than one file")
                                .contains("(shop-copy.yaml, shop.yaml)")
                                .contains("the version from shop.yaml stays in use")));
  }

  @Test
  void loadsNeitherWhenTwoNewFilesDeclareTheSameStack() {
    catalog.apply(DIR, snapshot("r1", valid("a.yaml", "shop"), valid("b.yaml", "shop")));

    assertThat(catalog.get("shop")).isEmpty();
    assertThat(catalog.problems())
        .extracting(SpecProblem::file)
        .containsExactly("a.yaml", "b.yaml");
  }

  @Test
  void loadsTheRemainingFileOnceTheDuplicateIsRemoved() {
    catalog.apply(DIR, snapshot("r1", valid("a.yaml", "shop", "web"), valid("b.yaml", "shop")));

    CatalogChange change = catalog.apply(DIR, snapshot("r2", valid("a.yaml", "shop", "web")));

    assertThat(catalog.get("shop").orElseThrow().file()).isEqualTo("a.yaml");
    assertThat(catalog.problems()).isEmpty();
    assertThat(change.resolved()).hasSize(2);
  }

  @Test
  void leavesAStackWithTheSourceThatDefinedItFirst() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop", "web")));

    catalog.apply(GIT, snapshot("abc", valid("env-specs/shop.yaml", "shop", "api")));

    LoadedSpec shop = catalog.get("shop").orElseThrow();
    assertThat(shop.sourceId()).isEqualTo(DIR);
    assertThat(shop.spec().component("web")).isPresent();
    assertThat(catalog.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.sourceId()).isEqualTo(GIT);
              assertThat(p.file()).isEqualTo("env-specs/shop.yaml");
              assertThat(p.errors().get(0).message()).contains("already defined by " + DIR);
            });
  }

  @Test
  void keepsAStackWithItsSourceWhenAnEarlierSourceStartsDefiningItToo() {
    catalog.apply(DIR, snapshot("r1", valid("blog.yaml", "blog")));
    catalog.apply(GIT, snapshot("abc", valid("env-specs/shop.yaml", "shop")));

    catalog.apply(DIR, snapshot("r2", valid("blog.yaml", "blog"), valid("shop.yaml", "shop")));

    assertThat(catalog.get("shop").orElseThrow().sourceId()).isEqualTo(GIT);
    assertThat(catalog.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.sourceId()).isEqualTo(DIR));
  }

  @Test
  void handsAStackToTheOtherSourceOnceTheFirstDropsIt() {
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    catalog.apply(GIT, snapshot("abc", valid("env-specs/shop.yaml", "shop")));

    CatalogChange change = catalog.apply(DIR, snapshot("r2"));

    assertThat(catalog.get("shop").orElseThrow().sourceId()).isEqualTo(GIT);
    assertThat(catalog.problems()).isEmpty();
    assertThat(change.loaded()).extracting(LoadedSpec::sourceId).containsExactly(GIT);
  }

  @Test
  void keepsASourcesSpecsWhileItFailsAndClearsTheFailureOnItsNextSnapshot() {
    catalog.apply(GIT, snapshot("abc", valid("env-specs/shop.yaml", "shop")));

    CatalogChange failed = catalog.sourceFailed(GIT, "cannot connect");
    CatalogChange again = catalog.sourceFailed(GIT, "cannot connect");

    assertThat(failed.failed()).containsEntry(GIT, "cannot connect");
    assertThat(again.isEmpty()).isTrue();
    assertThat(catalog.sourceFailures()).containsEntry(GIT, "cannot connect");
    assertThat(catalog.get("shop")).isPresent();

    CatalogChange recovered =
        catalog.apply(GIT, snapshot("abc", valid("env-specs/shop.yaml", "shop")));

    assertThat(recovered.recovered()).containsExactly(GIT);
    assertThat(catalog.sourceFailures()).isEmpty();
  }

  @Test
  void reportsASourceThatFailsBeforeItEverLoaded() {
    catalog.sourceFailed(DIR, "no such directory");

    assertThat(catalog.all()).isEmpty();
    assertThat(catalog.sourceFailures()).containsOnlyKeys(DIR);
  }

  @Test
  void tellsListenersOfEachChangeInOrderWithGrowingVersions() {
    List<CatalogChange> heard = new ArrayList<>();
    catalog.addListener(heard::add);

    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));
    catalog.apply(DIR, snapshot("r2", invalid("shop.yaml", "shop")));
    catalog.apply(DIR, snapshot("r3"));

    assertThat(heard).extracting(CatalogChange::version).containsExactly(1L, 2L, 3L);
    assertThat(catalog.version()).isEqualTo(3);
  }

  @Test
  void stopsTellingARemovedListener() {
    List<CatalogChange> heard = new ArrayList<>();
    SpecCatalog.Listener listener = heard::add;
    catalog.addListener(listener);
    catalog.removeListener(listener);

    catalog.apply(DIR, snapshot("r1", valid("shop.yaml", "shop")));

    assertThat(heard).isEmpty();
  }

  @Test
  void countsEveryChangeWhenSourcesUpdateConcurrently() throws InterruptedException {
    int sources = 8;
    ExecutorService pool = Executors.newFixedThreadPool(sources);
    CountDownLatch start = new CountDownLatch(1);
    for (int i = 0; i < sources; i++) {
      String id = "source-" + i;
      String stack = "stack-" + i;
      pool.submit(
          () -> {
            start.await();
            catalog.apply(id, snapshot("r1", valid(stack + ".yaml", stack)));
            return null;
          });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    assertThat(catalog.all()).hasSize(sources);
    assertThat(catalog.version()).isEqualTo(sources);
  }

  private SourceSnapshot snapshot(String revision, SpecParseResult... results) {
    return SourceSnapshot.atRevision(revision, List.of(results));
  }

  private SpecParseResult valid(String file, String stack) {
    return valid(file, stack, "app");
  }

  private SpecParseResult valid(String file, String stack, String component) {
    SpecParseResult result = parser.parse(file, SpecYaml.valid(stack, component));
    assertThat(result.errors()).isEmpty();
    return result;
  }

  private SpecParseResult invalid(String file, String stack) {
    SpecParseResult result = parser.parse(file, SpecYaml.invalid(stack));
    assertThat(result.isValid()).isFalse();
    return result;
  }
}
