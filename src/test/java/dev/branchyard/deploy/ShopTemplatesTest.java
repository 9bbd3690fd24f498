package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.DeploySpec;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published templates under {@code templates/shop} render for {@code env-specs/shop.yaml}. */
class ShopTemplatesTest {

  private final ManifestRenderer renderer = new ManifestRenderer();
  private final TemplateDirectory templates = new TemplateDirectory(Path.of("templates"));

  private static StackSpec shop() throws Exception {
    Path file = Path.of("env-specs/shop.yaml");
    SpecParseResult result = new SpecParser().parse(file.toString(), Files.readString(file));
    assertThat(result.errors()).isEmpty();
    return ((SpecParseResult.Valid) result).spec();
  }

  private static RenderContext context(StackSpec spec, ComponentSpec component) {
    return new RenderContext(
        "shop-pr-42",
        "by-shop-pr-42",
        spec.name(),
        component.name(),
        component.repo(),
        RenderContexts.COMMIT,
        component
            .build()
            .map(b -> "localhost:5000/" + component.name() + ":" + RenderContexts.COMMIT),
        spec.ingress().map(i -> i.hostFor("shop-pr-42")),
        Map.of("web", "web", "api", "api", "worker", "worker", "postgres", "postgres-db"),
        spec.values());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> containers(Manifest deployment) {
    Map<String, Object> spec = (Map<String, Object>) deployment.object().get("spec");
    Map<String, Object> template = (Map<String, Object>) spec.get("template");
    return (List<Map<String, Object>>)
        ((Map<String, Object>) template.get("spec")).get("containers");
  }

  @Test
  void everyManifestComponentRendersADeploymentAndAServiceWithoutProbes() throws Exception {
    StackSpec spec = shop();
    int rendered = 0;
    for (ComponentSpec component : spec.components()) {
      if (!(component.deploy() instanceof DeploySpec.Manifests manifests)) {
        continue;
      }
      List<Manifest> objects =
          renderer.render(templates.read(manifests.directory()), context(spec, component));

      assertThat(objects).extracting(Manifest::kind).containsExactly("Deployment", "Service");
      assertThat(objects).extracting(Manifest::name).containsOnly(component.name());
      assertThat(containers(objects.get(0)))
          .allSatisfy(
              container -> {
                assertThat(container.get("image"))
                    .isEqualTo("localhost:5000/" + component.name() + ":" + RenderContexts.COMMIT);
                assertThat(container).doesNotContainKeys("readinessProbe", "livenessProbe");
              });
      rendered++;
    }
    assertThat(rendered).isEqualTo(3);
  }

  @Test
  void webGetsItsSettingsAsEnvironmentVariableStrings() throws Exception {
    StackSpec spec = shop();
    ComponentSpec web = spec.component("web").orElseThrow();

    List<Manifest> objects = renderer.render(templates.read("shop/web"), context(spec, web));

    assertThat(containers(objects.get(0)).get(0).get("env"))
        .isEqualTo(
            List.of(
                Map.of("name", "API_URL", "value", "http://api:8080"),
                Map.of(
                    "name", "PUBLIC_URL", "value", "https://shop-pr-42.preview.shop.example.com"),
                Map.of("name", "LOG_LEVEL", "value", "debug"),
                Map.of("name", "NEW_CHECKOUT", "value", "true"),
                Map.of("name", "COMMIT", "value", RenderContexts.COMMIT)));
    assertThat(IngressTarget.firstService(objects))
        .isEqualTo(Optional.of(new IngressTarget("web", 80)));
  }
}
