package dev.branchyard.deploy;

import dev.branchyard.git.GitAccessException;
import dev.branchyard.git.GitCheckout;
import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.DeploySpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Renders a component with what its spec names: the templates under {@code templates/<dir>}, or a
 * Helm chart checked out from the component's repo at exactly the commit being deployed (into a
 * temporary directory that is always removed).
 */
@ApplicationScoped
public class ComponentRenderer implements ComponentManifests {

  private final TemplateDirectory templates;
  private final ManifestRenderer manifests;
  private final HelmChartRenderer charts;
  private final GitCheckout git;

  public ComponentRenderer(
      TemplateDirectory templates,
      ManifestRenderer manifests,
      HelmChartRenderer charts,
      GitCheckout git) {
    this.templates = templates;
    this.manifests = manifests;
    this.charts = charts;
    this.git = git;
  }

  @Override
  public List<Manifest> render(ComponentSpec component, RenderContext context)
      throws RenderException {
    if (component.deploy() instanceof DeploySpec.Manifests plain) {
      return manifests.render(templates.read(plain.directory()), context);
    }
    DeploySpec.Chart chart = (DeploySpec.Chart) component.deploy();
    if (chart.path().startsWith("oci://")) {
      throw new RenderException(
          "chart "
              + chart.path()
              + ": charts from OCI registries are not supported yet; use a"
              + " chart directory in the component's repo");
    }
    Path checkout = null;
    try {
      checkout = Files.createTempDirectory("branchyard-chart-");
      git.checkout(component.repo(), context.commitSha(), checkout);
      Path directory = checkout.resolve(chart.path()).normalize();
      if (!directory.startsWith(checkout)
          || !Files.isRegularFile(directory.resolve("Chart.yaml"))) {
        throw new RenderException(
            "chart "
                + chart.path()
                + ": no Chart.yaml at that path in "
                + component.repo()
                + " at "
                + context.commitSha());
      }
      return charts.render(directory, chart, context);
    } catch (GitAccessException e) {
      throw new RenderException(
          "chart "
              + chart.path()
              + ": cannot check out "
              + component.repo()
              + ": "
              + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (checkout != null) {
        deleteTree(checkout);
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
