package dev.branchyard.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes what a person needs to understand a failed integration test: every namespace's workloads,
 * pods and events, Branchyard's custom resources, and the tail of each control-plane log.
 */
final class ClusterDump {

  private static final int LOG_TAIL_LINES = 200;
  private static final List<ResourceDefinitionContext> BRANCHYARD_KINDS =
      List.of(crd("environments", "Environment"), crd("imagebuilds", "ImageBuild"));

  private final LocalPlatform platform;
  private final KubernetesClient client;

  ClusterDump(LocalPlatform platform, KubernetesClient client) {
    this.platform = platform;
    this.client = client;
  }

  void writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
      dumpCluster(dir);
      copyLogTails(dir.resolve("logs"));
      System.err.println("[it] failure dump written to " + dir);
    } catch (IOException | RuntimeException e) {
      // A broken dump must not hide the test's own failure.
      System.err.println("[it] could not write failure dump to " + dir + ": " + e);
    }
  }

  private void dumpCluster(Path dir) throws IOException {
    write(dir.resolve("nodes.yaml"), client.nodes().list().getItems());
    for (Namespace ns : client.namespaces().list().getItems()) {
      String name = ns.getMetadata().getName();
      Path nsDir = dir.resolve("namespaces").resolve(name);
      Files.createDirectories(nsDir);
      write(nsDir.resolve("namespace.yaml"), List.of(ns));
      write(
          nsDir.resolve("deployments.yaml"),
          client.apps().deployments().inNamespace(name).list().getItems());
      write(nsDir.resolve("pods.yaml"), client.pods().inNamespace(name).list().getItems());
      write(
          nsDir.resolve("jobs.yaml"),
          client.batch().v1().jobs().inNamespace(name).list().getItems());
      write(nsDir.resolve("events.yaml"), client.v1().events().inNamespace(name).list().getItems());
      for (ResourceDefinitionContext kind : BRANCHYARD_KINDS) {
        write(nsDir.resolve(kind.getPlural() + ".yaml"), listOrEmpty(kind, name));
      }
    }
  }

  private List<GenericKubernetesResource> listOrEmpty(ResourceDefinitionContext kind, String ns) {
    try {
      return client.genericKubernetesResources(kind).inNamespace(ns).list().getItems();
    } catch (KubernetesClientException e) {
      return List.of(); // CRD not installed in this test run
    }
  }

  private void copyLogTails(Path dir) throws IOException {
    if (platform.stateDir().isEmpty()) {
      return;
    }
    Files.createDirectories(dir);
    try (Stream<Path> logs = Files.walk(platform.stateDir().get())) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        List<String> lines = Files.readAllLines(log);
        List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
        Files.write(dir.resolve(log.getFileName()), tail);
      }
    }
  }

  private static void write(Path file, List<? extends HasMetadata> items) {
    try {
      Files.writeString(file, Serialization.asYaml(items));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ResourceDefinitionContext crd(String plural, String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("branchyard.dev")
        .withVersion("v1alpha1")
        .withPlural(plural)
        .withKind(kind)
        .withNamespaced(true)
        .build();
  }
}
