package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.chatops.ChatopsConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code branchyard.github.*} and {@code branchyard.chatops.*} read as documented. */
@QuarkusTest
@TestProfile(IntakeConfigWiringTest.IntakeSettings.class)
class IntakeConfigWiringTest {

  public static class IntakeSettings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.github.webhook-secret", "current",
          "branchyard.github.deliveries.for", "1h",
          "branchyard.chatops.slack.users.U2CERLKJA", "octocat",
          "branchyard.chatops.slack.users.U0G9QF9C6", "monalisa");
    }
  }

  @Inject GitHubConfig github;
  @Inject ChatopsConfig chatops;

  @Test
  void readsWebhookSettingsAndKeepsDefaultsForUnsetKeys() {
    assertThat(github.webhookSecret()).contains("current");
    assertThat(github.webhookPreviousSecret()).isEmpty();
    assertThat(github.maxBodySize().asLongValue()).isEqualTo(25L * 1024 * 1024);
    assertThat(github.deliveries().rememberFor()).isEqualTo(Duration.ofHours(1));
    assertThat(github.deliveries().remember()).isEqualTo(10_000);
  }

  @Test
  void readsSlackUsersAndDefaultsToAFiveMinuteReplayWindowWithoutASecret() {
    assertThat(chatops.slack().users())
        .containsOnly(Map.entry("U2CERLKJA", "octocat"), Map.entry("U0G9QF9C6", "monalisa"));
    assertThat(chatops.slack().replayWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(chatops.slack().signingSecret()).isEmpty();
  }
}
