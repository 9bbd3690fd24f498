package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployConfigTest {

  private static DeployConfig config(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(DeployConfig.class)
            .withSources(new PropertiesConfigSource(properties, "test", 100))
            .build();
    return config.getConfigMapping(DeployConfig.class);
  }

  @Test
  void defaultsSuitAnIngressNginxCluster() {
    DeployConfig config = config(Map.of());

    assertThat(config.templatesDir()).isEqualTo(Path.of("templates"));
    assertThat(config.namespacePrefix()).isEqualTo("by-");
    assertThat(config.ingress().className()).isEmpty();
    assertThat(NamespaceLayout.labels(config.ingress().controllerNamespaceLabels()))
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
  }

  @Test
  void controllerNamespaceLabelsReplaceTheDefaultAsAWhole() {
    DeployConfig config =
        config(
            Map.of(
                "branchyard.deploy.ingress.controller-namespace-labels",
                "team=edge, role=ingress",
                "branchyard.deploy.ingress.class-name",
                "nginx"));

    assertThat(NamespaceLayout.labels(config.ingress().controllerNamespaceLabels()))
        .isEqualTo(Map.of("team", "edge", "role", "ingress"));
    assertThat(config.ingress().className()).contains("nginx");
  }

  @Test
  void malformedControllerNamespaceLabelsAreRefused() {
    assertThatThrownBy(() -> NamespaceLayout.labels("team=edge,ingress"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ingress' is not a label");
  }
}
