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
import org.junit.jupiter.api.Test;

/**
 * {@code make run}'s demo spec ({@code scripts/demo/demo.yaml}, copied into the state dir by {@code
 * scripts/demo.sh}) is valid and its templates under {@code templates/demo} render without probes,
 * which the local platform's hollow node never answers.
 */
class DemoTemplatesTest {

  private final ManifestRenderer renderer = new ManifestRenderer();
  private final TemplateDirectory templates = new TemplateDirectory(Path.of("templates"));

  private static StackSpec demo() throws Exception {
    Path file = Path.of("scripts/demo/demo.yaml");
    SpecParseResult result = new SpecParser().parse(file.toString(), Files.readString(file));
    assertThat(result.errors()).isEmpty();
    return ((SpecParseResult.Valid) result).spec();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> containers(Manifest deployment) {
    Map<String, Object> spec = (Map<String, Object>) deployment.object().get("spec");
    Map<String, Object> template = (Map<String, Object>) spec.get("template");
    return (List<Map<String, Object>>)
        ((Map<String, Object>) template.get("spec")).get("containers");
  }

  @Test
  void demoComponentsRenderADeploymentAndAServiceWithoutProbes() throws Exception {
    StackSpec spec = demo();
    assertThat(spec.components()).extracting(ComponentSpec::name).containsExactly("api", "web");
    for (ComponentSpec component : spec.components()) {
      DeploySpec.Manifests manifests = (DeploySpec.Manifests) component.deploy();
      String image = "127.0.0.1:5000/" + component.repo() + ":" + RenderContexts.COMMIT;
      List<Manifest> objects =
          renderer.render(
              templates.read(manifests.directory()),
              new RenderContext(
                  "demo-web-pr1",
                  "by-demo-web-pr1",
                  spec.name(),
                  component.name(),
                  component.repo(),
                  RenderContexts.COMMIT,
                  component.build().map(b -> image),
                  java.util.Optional.empty(),
                  Map.of("api", "api", "web", "web"),
                  spec.values()));

      assertThat(objects).extracting(Manifest::kind).containsExactly("Deployment", "Service");
      assertThat(containers(objects.get(0)))
          .singleElement()
          .satisfies(
              container -> {
                assertThat(container.get("image")).isEqualTo(image);
                assertThat(container)
                    .doesNotContainKeys("readinessProbe", "livenessProbe", "startupProbe");
              });
    }
  }
}
