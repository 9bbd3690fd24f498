package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommitLinksTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void linksGitHubOwnerNameAndUrlsToTheCommit() {
    assertThat(CommitLinks.commit("acme/shop", SHA))
        .contains("https://github.com/acme/shop/commit/" + SHA);
    assertThat(CommitLinks.commit("https://github.com/acme/shop.git", SHA))
        .contains("https://github.com/acme/shop/commit/" + SHA);
    assertThat(CommitLinks.commit("git@github.com:acme/shop.git", SHA))
        .contains("https://github.com/acme/shop/commit/" + SHA);
  }

  @Test
  void usesGitLabsOwnCommitPath() {
    assertThat(CommitLinks.commit("https://gitlab.com/acme/shop.git", SHA))
        .contains("https://gitlab.com/acme/shop/-/commit/" + SHA);
  }

  @Test
  void linksNothingForFileRepositoriesOrWhatIsNotACommit() {
    assertThat(CommitLinks.commit("file:///srv/git/shop.git", SHA)).isEmpty();
    assertThat(CommitLinks.commit("acme/shop", "main")).isEmpty();
    assertThat(CommitLinks.commit(null, SHA)).isEmpty();
  }

  @Test
  void linksPullRequests() {
    assertThat(CommitLinks.pullRequest("acme/shop", 12))
        .contains("https://github.com/acme/shop/pull/12");
    assertThat(CommitLinks.pullRequest("acme/shop", null)).isEmpty();
  }
}
