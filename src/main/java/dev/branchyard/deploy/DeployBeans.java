package dev.branchyard.deploy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the renderers and the namespace layout injectable, configured by {@link DeployConfig}. */
@ApplicationScoped
public class DeployBeans {

  @Produces
  @Singleton
  ManifestRenderer manifestRenderer() {
    return new ManifestRenderer();
  }

  @Produces
  @Singleton
  TemplateDirectory templateDirectory(DeployConfig config) {
    return new TemplateDirectory(config.templatesDir());
  }

  @Produces
  @Singleton
  HelmChartRenderer helmChartRenderer(ManifestRenderer renderer) {
    return new HelmChartRenderer(renderer);
  }

  @Produces
  @Singleton
  NamespaceLayout namespaceLayout(DeployConfig config) {
    return NamespaceLayout.from(config);
  }
}
