package dev.branchyard.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import dev.branchyard.spec.DeploySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a component's Helm chart in-process ({@code helm template}, through helm-java) and passes
 * the output through the same rules as plain manifests ({@link
 * ManifestRenderer#renderChartOutput}). Nothing is installed: Branchyard applies the objects
 * itself.
 *
 * <p>The chart gets its values from the spec ({@code deploy.values}) and, under {@code branchyard},
 * what the environment knows: {@code image}, {@code host}, {@code env}, {@code namespace}, {@code
 * component}, {@code commit}, {@code repo}, {@code spec}, {@code services} (component to service
 * name) and {@code values} (the stack's values). The release is named after the component and lives
 * in the environment's namespace ({@code .Release.Namespace}).
 */
public final class HelmChartRenderer {

  /** Helm's limit on release names. */
  static final int MAX_RELEASE_NAME = 53;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManifestRenderer renderer;

  public HelmChartRenderer(ManifestRenderer renderer) {
    this.renderer = renderer;
  }

  /**
   * Renders one chart.
   *
   * @param chartDirectory the chart's directory (with {@code Chart.yaml}), already checked out at
   *     the component's commit
   * @param chart the component's deploy section, for its values and for naming the chart in errors
   * @throws RenderException with helm's own message when helm fails, or what the rules found
   */
  public List<Manifest> render(Path chartDirectory, DeploySpec.Chart chart, RenderContext context)
      throws RenderException {
    if (!Files.isRegularFile(chartDirectory.resolve("Chart.yaml"))) {
      throw new RenderException(
          chart.path() + ": not a Helm chart: " + chartDirectory + " has no Chart.yaml");
    }
    return renderer.renderChartOutput(
        chart.path(), template(chartDirectory, chart, context), context);
  }

  private static String template(Path chartDirectory, DeploySpec.Chart chart, RenderContext context)
      throws RenderException {
    Path valuesFile = null;
    try {
      // JSON is YAML; the file is created readable by its owner only.
      valuesFile = Files.createTempFile("branchyard-values-", ".yaml");
      JSON.writeValue(valuesFile.toFile(), values(chart, context));
      return new Helm(chartDirectory)
          .template()
          .withName(releaseName(context.component()))
          .withNamespace(context.namespace())
          .withValuesFile(valuesFile)
          .call();
    } catch (IOException e) {
      throw new RenderException(chart.path() + ": cannot write the chart's values: " + e, e);
    } catch (RuntimeException e) {
      // helm-java reports helm's own error as an IllegalStateException with helm's message.
      throw new RenderException(
          chart.path() + ": helm template failed: " + String.valueOf(e.getMessage()).strip(), e);
    } finally {
      deleteQuietly(valuesFile);
    }
  }

  /** The chart's values: the spec's, with {@code branchyard} set to what the environment knows. */
  static Map<String, Object> values(DeploySpec.Chart chart, RenderContext context) {
    Map<String, Object> branchyard = new LinkedHashMap<>();
    context.image().ifPresent(image -> branchyard.put("image", image));
    context.host().ifPresent(host -> branchyard.put("host", host));
    branchyard.put("env", context.environment());
    branchyard.put("namespace", context.namespace());
    branchyard.put("component", context.component());
    branchyard.put("commit", context.commitSha());
    branchyard.put("repo", context.repo());
    branchyard.put("spec", context.spec());
    branchyard.put("services", context.services());
    branchyard.put("values", context.values());
    Map<String, Object> values = new LinkedHashMap<>(chart.values());
    values.put("branchyard", branchyard);
    return values;
  }

  static String releaseName(String component) {
    return component.length() <= MAX_RELEASE_NAME
        ? component
        : component.substring(0, MAX_RELEASE_NAME).replaceAll("-+$", "");
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temp file holds values only; failing the render for it would help no one.
    }
  }
}
