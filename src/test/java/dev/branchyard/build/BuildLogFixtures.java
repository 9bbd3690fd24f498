package dev.branchyard.build;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What the build-log integration tests share: the ImageBuild CRD, namespaces, valid builds. */
public final class BuildLogFixtures {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  private BuildLogFixtures() {}

  /** Applies {@code k8s/crds/imagebuilds...yml} and waits until the API serves ImageBuilds. */
  public static void installImageBuildCrd(KubernetesClient client, Path projectDir) {
    Path file = projectDir.resolve("k8s/crds/imagebuilds.branchyard.dev-v1.yml");
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(file)) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    client.resource(crd).fieldManager("branchyard-it").forceConflicts().serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                cond.getType().equals("Established")
                                    && cond.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);
  }

  /** Creates the namespace unless it exists. */
  public static void ensureNamespace(KubernetesClient client, String name) {
    try {
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** Creates an ImageBuild with a valid spec and returns it as stored (with its UID). */
  public static ImageBuild createBuild(KubernetesClient client, String namespace, String name) {
    var spec =
        new ImageBuildSpec(
            "http://git.example/acme/api.git",
            SHA,
            "Dockerfile",
            ".",
            List.of(),
            "127.0.0.1:5000/acme/api:" + SHA + "-" + name);
    return client
        .resources(ImageBuild.class)
        .inNamespace(namespace)
        .resource(new ImageBuild(name, spec))
        .create();
  }

  public static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Subscribes to a log and collects what it emits. */
  public static Followed follow(Multi<String> log) {
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Cancellable subscription =
        log.subscribe().with(lines::add, ended::completeExceptionally, () -> ended.complete(null));
    return new Followed(lines, ended, subscription);
  }

  /**
   * A subscription to a log.
   *
   * @param lines what it has emitted so far
   * @param ended completes when the log completes, or fails with its failure
   * @param subscription to cancel it
   */
  public record Followed(
      List<String> lines, CompletableFuture<Void> ended, Cancellable subscription) {}
}
