package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application starts without any GitHub configuration, and the GitHub ports are there anyway,
 * failing with a message that says what to set.
 */
@QuarkusTest
@TestProfile(GitHubApiWiringTest.NoGitHub.class)
class GitHubApiWiringTest {

  public static class NoGitHub implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.github.webhook-secret", "current");
    }
  }

  @Inject RepoPermissions permissions;
  @Inject PullRequestLookup pullRequests;
  @Inject PullRequestReplies replies;
  @Inject GitHubApiConfig config;
  @Inject GitHubConfig intake;

  @Test
  void startsWithoutGitHubAndSaysWhatToSetWhenAskedForIt() {
    assertThatThrownBy(() -> permissions.permission("octo-org/shop", "octocat"))
        .isInstanceOf(GitHubNotConfiguredException.class)
        .hasMessageContaining("set branchyard.github.token or the app id/key");
    assertThatThrownBy(() -> pullRequests.pullRequest("octo-org/shop", 1))
        .isInstanceOf(GitHubNotConfiguredException.class);
    assertThatThrownBy(() -> replies.reply("octo-org/shop", 1, "hi"))
        .isInstanceOf(GitHubNotConfiguredException.class);
  }

  @Test
  void readsApiSettingsBesideTheWebhookSettings() {
    assertThat(config.apiUrl()).isEqualTo(URI.create("https://api.github.com"));
    assertThat(config.token()).isEmpty();
    assertThat(config.app().id()).isEmpty();
    assertThat(config.app().tokenRefreshBefore()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.feedback().enabled()).isTrue();
    assertThat(config.feedback().workers()).isEqualTo(2);
    assertThat(intake.webhookSecret()).contains("current");
  }
}
