package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepoIdTest {

  @Test
  void treatsEverySpellingOfAGitHubRepoAsTheSame() {
    assertThat(RepoId.same("acme/api", "https://github.com/acme/api")).isTrue();
    assertThat(RepoId.same("acme/api", "https://github.com/Acme/API.git")).isTrue();
    assertThat(RepoId.same("acme/api", "git@github.com:acme/api.git")).isTrue();
    assertThat(RepoId.same("acme/api", "ssh://git@github.com/acme/api.git")).isTrue();
    assertThat(RepoId.same("acme/api", "https://github.com/acme/api/")).isTrue();
  }

  @Test
  void keepsDifferentReposAndHostsApart() {
    assertThat(RepoId.same("acme/api", "acme/api-v2")).isFalse();
    assertThat(RepoId.same("acme/api", "https://gitlab.com/acme/api")).isFalse();
    assertThat(RepoId.same("file:///srv/git/api.git", "file:///srv/git/api")).isTrue();
  }

  @Test
  void matchesNothingForInvalidReferences() {
    assertThat(RepoId.of("not a repo")).isEmpty();
    assertThat(RepoId.of("ftp://example.com/x")).isEmpty();
    assertThat(RepoId.same("nope", "nope")).isFalse();
  }
}
