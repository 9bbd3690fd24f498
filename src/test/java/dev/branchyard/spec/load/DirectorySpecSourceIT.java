package dev.branchyard.spec.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.SpecProblem;
import dev.branchyard.testing.SpecYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DirectorySpecSource} against a real directory, watched by the JDK's WatchService. */
class DirectorySpecSourceIT {

  private static final Duration DEBOUNCE = Duration.ofMillis(200);
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final SpecCatalog catalog = new SpecCatalog(Clock.systemUTC());
  private DirectorySpecSource source;

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
  }

  private DirectorySpecSource start(Path directory) {
    source = new DirectorySpecSource(directory, DEBOUNCE, new SpecFiles(new SpecParser()), catalog);
    source.start();
    return source;
  }

  @Test
  void loadsTheSpecsPresentAtStartupBeforeStartReturns() throws IOException {
    write("shop.yaml", SpecYaml.valid("shop", "web"));
    Files.createDirectories(dir.resolve("schema"));
    write("schema/ignored.yaml", SpecYaml.valid("ignored", "web"));
    write("README.md", "not a spec");

    start(dir);

    LoadedSpec shop = catalog.get("shop").orElseThrow();
    assertThat(shop.sourceId()).isEqualTo(source.sourceId());
    assertThat(shop.file()).isEqualTo(dir.resolve("shop.yaml").toString());
    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("shop");
  }

  @Test
  void followsASpecThroughWritingBreakingFixingAndDeleting() throws IOException {
    start(dir);
    assertThat(catalog.all()).isEmpty();

    write("shop.yaml", SpecYaml.valid("shop", "web"));
    await().atMost(PATIENCE).until(() -> catalog.get("shop").isPresent());
    LoadedSpec good = catalog.get("shop").orElseThrow();

    write("shop.yaml", SpecYaml.invalid("shop"));
    await().atMost(PATIENCE).until(() -> !catalog.problems().isEmpty());
    assertThat(catalog.get("shop")).contains(good);
    SpecProblem problem = catalog.problems().get(0);
    assertThat(problem.file()).isEqualTo(dir.resolve("shop.yaml").toString());
    assertThat(problem.errors())
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.toString()).startsWith(problem.file() + ":"));
    assertThat(problem.kept()).contains(good);

    write("shop.yaml", SpecYaml.valid("shop", "api"));
    await()
        .atMost(PATIENCE)
        .until(() -> catalog.get("shop").flatMap(s -> s.spec().component("api")).isPresent());
    assertThat(catalog.problems()).isEmpty();

    Files.delete(dir.resolve("shop.yaml"));
    await().atMost(PATIENCE).until(() -> catalog.get("shop").isEmpty());
    assertThat(catalog.problems()).isEmpty();
  }

  @Test
  void reloadsOnceForABurstOfWrites() throws IOException {
    start(dir);
    long afterStartup = source.reloadCount();

    for (int i = 0; i < 10; i++) {
      write("stack-" + i + ".yaml", SpecYaml.valid("stack-" + i, "app"));
    }

    await().atMost(PATIENCE).until(() -> catalog.all().size() == 10);
    await()
        .during(DEBOUNCE.multipliedBy(4))
        .atMost(PATIENCE)
        .until(() -> source.reloadCount() == afterStartup + 1);
  }

  @Test
  void followsEditorsThatSaveThroughATemporaryFileAndARename() throws IOException {
    write("shop.yaml", SpecYaml.valid("shop", "web"));
    start(dir);

    write("shop.yaml.tmp", SpecYaml.valid("shop", "api"));
    Files.move(
        dir.resolve("shop.yaml.tmp"),
        dir.resolve("shop.yaml"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);

    await()
        .atMost(PATIENCE)
        .until(() -> catalog.get("shop").flatMap(s -> s.spec().component("api")).isPresent());
  }

  @Test
  void reportsAMissingDirectoryAndLoadsItOnceItAppears() throws IOException {
    Path later = dir.resolve("later");

    start(later);

    assertThat(catalog.sourceFailures()).containsKey(source.sourceId());
    assertThat(catalog.sourceFailures().get(source.sourceId())).contains("does not exist");

    Files.createDirectories(later);
    Files.writeString(later.resolve("shop.yaml"), SpecYaml.valid("shop", "web"));

    await().atMost(PATIENCE).until(() -> catalog.get("shop").isPresent());
    assertThat(catalog.sourceFailures()).isEmpty();
  }

  @Test
  void keepsTheSpecsWhenTheDirectoryDisappears() throws IOException {
    Path specs = Files.createDirectories(dir.resolve("specs"));
    Files.writeString(specs.resolve("shop.yaml"), SpecYaml.valid("shop", "web"));
    start(specs);

    // A directory that vanishes is a broken source, not an empty one.
    Files.move(specs, dir.resolve("moved-away"));

    await().atMost(PATIENCE).until(() -> !catalog.sourceFailures().isEmpty());
    assertThat(catalog.get("shop")).isPresent();
  }

  private void write(String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content);
  }
}
