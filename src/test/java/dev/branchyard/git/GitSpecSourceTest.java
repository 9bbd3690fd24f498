package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.testing.TestGitConfig;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class GitSpecSourceTest {

  private final SpecCatalog catalog = new SpecCatalog(Clock.systemUTC());

  private GitSpecSource source(String repo) {
    return new GitSpecSource(
        repo,
        "main",
        "env-specs",
        Path.of("unused"),
        TestGitConfig.defaults(),
        new SpecParser(),
        catalog);
  }

  @Test
  void namesItsSourceByRepositoryAndBranch() {
    assertThat(source("acme/specs").sourceId()).isEqualTo("git:acme/specs@main");
  }

  @Test
  void keepsCredentialsInTheUrlOutOfItsSourceId() {
    String id = source("https://bot:s3cret@git.example.com/acme/specs.git").sourceId();

    assertThat(id)
        .isEqualTo("git:https://git.example.com/acme/specs.git@main")
        .doesNotContain("s3cret");
  }

  @Test
  void readsNothingBeforeTheFirstPoll() {
    source("acme/specs");

    assertThat(catalog.version()).isZero();
    assertThat(catalog.sourceFailures()).isEmpty();
  }
}
