package dev.branchyard.spec.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec catalog is a bean, filled from the project's {@code env-specs/} at startup. */
@QuarkusTest
@TestProfile(SpecSourceWiringTest.NoCluster.class)
class SpecSourceWiringTest {

  public static class NoCluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9");
    }
  }

  @Inject SpecCatalog catalog;
  @Inject SpecSourceConfig config;

  @Test
  void loadsTheProjectsSpecDirectoryAtStartup() {
    assertThat(catalog.all()).extracting(LoadedSpec::name).contains("platform", "shop");
    assertThat(catalog.get("shop").orElseThrow().sourceId()).isEqualTo("directory:env-specs");
    assertThat(catalog.get("shop").orElseThrow().file()).isEqualTo("env-specs/shop.yaml");
    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.sourceFailures()).isEmpty();
  }

  @Test
  void readsSpecSourceSettingsWithTheirDefaults() {
    assertThat(config.directory().enabled()).isTrue();
    assertThat(config.directory().path()).isEqualTo(Path.of("env-specs"));
    assertThat(config.directory().debounce()).isEqualTo(Duration.ofMillis(300));
    assertThat(config.git().url()).isEmpty();
    assertThat(config.git().branch()).isEqualTo("main");
    assertThat(config.git().path()).isEqualTo("env-specs");
    assertThat(config.git().interval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.git().workDir()).isEmpty();
  }
}
