package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The git beans are wired by Quarkus, and {@code branchyard.git.*} reads as documented. */
@QuarkusTest
@TestProfile(GitConfigWiringTest.GitSettings.class)
class GitConfigWiringTest {

  public static class GitSettings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.git.max-parallelism", "3",
          "branchyard.git.read-timeout", "750ms",
          "branchyard.git.credentials.\"git.example.com\".token", "t0ken",
          "branchyard.git.credentials.\"git.example.com:8443\".username", "alice",
          "branchyard.git.credentials.\"git.example.com:8443\".password", "pw");
    }
  }

  @Inject GitConfig config;
  @Inject GitRefs refs;
  @Inject GitFiles files;
  @Inject RefResolver resolver;

  @Test
  void wiresTheJGitAdaptersBehindThePorts() {
    assertThat(refs).isInstanceOf(JGitRefs.class);
    assertThat(files).isInstanceOf(JGitFiles.class);
    assertThat(resolver).isNotNull();
  }

  @Test
  void readsCredentialsPerHostAndKeepsDefaultsForUnsetKeys() {
    assertThat(config.githubBaseUrl()).isEqualTo("https://github.com");
    assertThat(config.maxParallelism()).isEqualTo(3);
    assertThat(config.readTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.cacheTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.credentials()).containsOnlyKeys("git.example.com", "git.example.com:8443");
    assertThat(config.credentials().get("git.example.com").token()).contains("t0ken");
    assertThat(config.credentials().get("git.example.com:8443").username()).contains("alice");
    assertThat(config.credentials().get("git.example.com:8443").token()).isEmpty();
  }
}
