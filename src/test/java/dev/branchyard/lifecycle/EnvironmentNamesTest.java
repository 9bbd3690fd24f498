package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvironmentNamesTest {

  @Test
  void namesAPullRequestEnvironmentAfterStackRepoAndNumber() {
    assertThat(EnvironmentNames.forPullRequest("shop", "acme/web", 42)).isEqualTo("shop-web-pr42");
  }

  @Test
  void namesAfterTheRepositoryNameOfAUrlWithoutItsGitSuffixOrTrailingSlash() {
    assertThat(
            EnvironmentNames.forPullRequest("shop", "http://127.0.0.1:8080/git/acme/web.git/", 3))
        .isEqualTo("shop-web-pr3");
  }

  @Test
  void keepsBranchesThatOnlyDifferInCaseOrPunctuationApart() {
    String slashed = EnvironmentNames.forBranch("shop", "acme/web", "feature/login");
    String dashed = EnvironmentNames.forBranch("shop", "acme/web", "feature-login");
    String upper = EnvironmentNames.forBranch("shop", "acme/web", "Feature-Login");

    assertThat(dashed).isEqualTo("shop-web-feature-login");
    assertThat(slashed).startsWith("shop-web-feature-login-").isNotEqualTo(dashed);
    assertThat(upper).startsWith("shop-web-feature-login-").isNotEqualTo(slashed);
  }

  @Test
  void truncatesLongNamesToADnsLabelEndingInAHash() {
    String branch = "a-very-long-branch-name-that-goes-on-and-on-and-on-and-on";
    String name = EnvironmentNames.forBranch("shop", "acme/web", branch);
    String other = EnvironmentNames.forBranch("shop", "acme/web", branch + "-2");

    assertThat(name)
        .hasSizeLessThanOrEqualTo(EnvironmentNames.MAX_LENGTH)
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        .isNotEqualTo(other);
  }

  @Test
  void labelsARepositoryByOwnerAndNameOrByHashWhenTooLong() {
    assertThat(EnvironmentNames.repoLabel("acme/web")).isEqualTo("acme.web");
    assertThat(EnvironmentNames.repoLabel("http://127.0.0.1:8080/git/acme/web.git"))
        .isEqualTo("git.acme.web");
    assertThat(EnvironmentNames.repoLabel("acme/" + "x".repeat(80))).matches("h-[0-9a-f]{8}");
  }
}
