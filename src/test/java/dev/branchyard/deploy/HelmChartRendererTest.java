package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.spec.DeploySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HelmChartRendererTest {

  private static final Path CHARTS = Path.of("src/test/resources/fixtures/charts");

  private final HelmChartRenderer renderer = new HelmChartRenderer(new ManifestRenderer());

  private static RenderContext postgres() {
    RenderContext web = RenderContexts.web();
    return new RenderContext(
        web.environment(),
        web.namespace(),
        web.spec(),
        "postgres",
        "acme/shop-infra",
        web.commitSha(),
        web.image(),
        web.host(),
        web.services(),
        web.values());
  }

  @SuppressWarnings("unchecked")
  private static Object at(Map<String, Object> object, Object... path) {
    Object current = object;
    for (Object step : path) {
      current =
          step instanceof Integer index
              ? ((List<Object>) current).get(index)
              : ((Map<String, Object>) current).get(step);
    }
    return current;
  }

  @Test
  @SuppressWarnings("unchecked")
  void rendersChartWithSpecValuesAndEnvironmentValues() throws RenderException {
    DeploySpec.Chart chart =
        new DeploySpec.Chart("charts/demo", Map.of("auth", Map.of("database", "shop")));

    List<Manifest> manifests = renderer.render(CHARTS.resolve("demo"), chart, postgres());

    assertThat(manifests)
        .extracting(Manifest::kind)
        .containsExactlyInAnyOrder("Service", "Deployment");
    Manifest deployment =
        manifests.stream().filter(m -> m.kind().equals("Deployment")).findFirst().orElseThrow();
    Map<String, Object> object = deployment.object();
    assertThat(deployment.name()).isEqualTo("postgres-db");
    assertThat(deployment.component()).isEqualTo("postgres");
    assertThat(at(object, "metadata", "namespace")).isEqualTo(RenderContexts.NAMESPACE);
    assertThat(at(object, "spec", "replicas")).isEqualTo(1);
    Map<String, Object> container =
        (Map<String, Object>) at(object, "spec", "template", "spec", "containers", 0);
    assertThat(container.get("image")).isEqualTo(RenderContexts.web().image().orElseThrow());
    assertThat(container.get("env"))
        .isEqualTo(
            List.of(
                Map.of("name", "POSTGRES_DB", "value", "shop"),
                Map.of("name", "BRANCHYARD_ENV", "value", "shop-pr-42")));
    assertThat(at(object, "spec", "template", "spec", "containers", 0, "ports", 0))
        .isEqualTo(Map.of("containerPort", 5432, "protocol", "TCP"));
    assertThat((Map<String, Object>) at(object, "metadata", "labels"))
        .containsEntry(EnvironmentLabels.COMPONENT, "postgres")
        .containsEntry(EnvironmentLabels.ENVIRONMENT, "shop-pr-42");
    assertThat((Map<String, Object>) at(object, "spec", "template", "metadata", "labels"))
        .containsEntry(EnvironmentLabels.MANAGED_BY, "branchyard")
        .containsEntry("app", "postgres-db");
    assertThat(at(object, "spec", "selector"))
        .isEqualTo(Map.of("matchLabels", Map.of("app", "postgres-db")));
    assertThat(deployment.origin()).startsWith("demo/templates/deployment.yaml (helm output):");
  }

  @Test
  void leavesChartTestHooksOut() throws RenderException {
    List<Manifest> manifests =
        renderer.render(
            CHARTS.resolve("demo"), new DeploySpec.Chart("charts/demo", Map.of()), postgres());

    assertThat(manifests).extracting(Manifest::name).doesNotContain("postgres-test");
  }

  @Test
  void helmErrorSurfacesWithHelmsMessage() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    CHARTS.resolve("broken"),
                    new DeploySpec.Chart("charts/broken", Map.of()),
                    postgres()))
        .isInstanceOf(RenderException.class)
        .hasMessageStartingWith("charts/broken: helm template failed: ")
        .hasMessageContaining("noSuchFunction");
  }

  @Test
  void directoryWithoutChartYamlIsNotAChart() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    CHARTS.resolve("demo/templates"),
                    new DeploySpec.Chart("charts/demo/templates", Map.of()),
                    postgres()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("not a Helm chart")
        .hasMessageContaining("has no Chart.yaml");
  }

  @Test
  void deletesTheValuesFileAfterwards() throws Exception {
    Set<Path> before = valuesFiles();

    renderer.render(
        CHARTS.resolve("demo"), new DeploySpec.Chart("charts/demo", Map.of()), postgres());
    assertThatThrownBy(
            () ->
                renderer.render(
                    CHARTS.resolve("broken"),
                    new DeploySpec.Chart("charts/broken", Map.of()),
                    postgres()))
        .isInstanceOf(RenderException.class);

    assertThat(valuesFiles()).isSubsetOf(before);
  }

  @Test
  @SuppressWarnings("unchecked")
  void environmentValuesGoUnderBranchyardAndReplaceTheSpecsOwn() {
    DeploySpec.Chart chart =
        new DeploySpec.Chart(
            "charts/demo", Map.of("replicas", 2, "branchyard", Map.of("image", "spoofed")));

    Map<String, Object> values = HelmChartRenderer.values(chart, postgres());

    assertThat(values).containsEntry("replicas", 2);
    assertThat((Map<String, Object>) values.get("branchyard"))
        .containsEntry("image", RenderContexts.web().image().orElseThrow())
        .containsEntry("host", "shop-pr-42.preview.shop.example.com")
        .containsEntry("env", "shop-pr-42")
        .containsEntry("namespace", RenderContexts.NAMESPACE)
        .containsEntry("component", "postgres")
        .containsEntry("commit", RenderContexts.COMMIT)
        .containsEntry("services", RenderContexts.web().services())
        .containsEntry("values", RenderContexts.web().values());
  }

  private static Set<Path> valuesFiles() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("branchyard-values-"))
          .collect(Collectors.toSet());
    }
  }
}
