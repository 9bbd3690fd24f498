package dev.branchyard.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Settings of rendering and of the environments' namespaces, prefix {@code branchyard.deploy}. */
@ConfigMapping(prefix = "branchyard.deploy")
public interface DeployConfig {

  /**
   * The directory holding the manifest templates; a component's {@code deploy.manifests: shop/web}
   * names {@code <templates-dir>/shop/web}. Relative paths are resolved against the working
   * directory.
   */
  @WithDefault("templates")
  Path templatesDir();

  /**
   * Put before every environment's namespace name: environment {@code shop-pr-42} lives in
   * namespace {@code by-shop-pr-42}. It keeps environments' namespaces recognisable and apart from
   * everything else in the cluster. Lowercase letters, digits and {@code -}.
   */
  @WithDefault("by-")
  String namespacePrefix();

  /** How environments' Ingresses are made and who may reach their pods. */
  Ingress ingress();

  /** Ingress settings. */
  interface Ingress {

    /**
     * The {@code spec.ingressClassName} of environments' Ingresses. Unset: none is set, and the
     * cluster's default IngressClass (if any) takes them.
     */
    Optional<String> className();

    /**
     * Labels that select the ingress controller's namespace, whose pods may reach every pod of
     * every environment (all other traffic from outside an environment's namespace is denied), as
     * {@code key=value} pairs separated by commas, e.g. {@code team=edge,role=ingress}: a namespace
     * must have all of them. Kubernetes sets {@code kubernetes.io/metadata.name} on namespaces only
     * from 1.21 on: on 1.20, label the controller's namespace yourself. (A string rather than a map
     * so that setting it replaces the default instead of adding to it.)
     */
    @WithDefault("kubernetes.io/metadata.name=ingress-nginx")
    String controllerNamespaceLabels();
  }
}
