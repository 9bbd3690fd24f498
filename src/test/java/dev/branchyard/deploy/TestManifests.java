package dev.branchyard.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Manifests as a renderer would produce them, from YAML. Workloads have no readiness probe and
 * ports carry {@code protocol}: the hollow node never passes probes, and server-side apply on
 * Kubernetes 1.20 refuses ports without a protocol.
 */
final class TestManifests {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TestManifests() {}

  static Manifest fromYaml(String component, String origin, String yaml) {
    try {
      return new Manifest(component, origin, YAML.readValue(yaml, new TypeReference<>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Manifest configMap(String component, String name, Map<String, String> data) {
    return new Manifest(
        component,
        "templates/" + name + ".yaml",
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "ConfigMap",
            "metadata",
            Map.of("name", name),
            "data",
            data));
  }

  static Manifest service(String component, String name) {
    return fromYaml(
        component,
        "templates/" + name + "-service.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          labels:
            app: %s
        spec:
          selector:
            app: %s
          ports:
            - name: http
              port: 80
              targetPort: 8080
              protocol: TCP
        """
            .formatted(name, name, name));
  }

  /**
   * A Deployment of one replica whose pod template carries the environment's labels, as rendered
   * templates do (so its ReplicaSet and pods carry them too).
   */
  static Manifest deployment(String component, String environment, String name, String image) {
    return deployment(component, environment, name, image, "");
  }

  /** As {@link #deployment(String, String, String, String)}, with extra pod spec lines. */
  static Manifest deployment(
      String component, String environment, String name, String image, String podSpecExtra) {
    return fromYaml(
        component,
        "templates/" + name + "-deployment.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          labels:
            app: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
                app.kubernetes.io/managed-by: branchyard
                branchyard.dev/environment: %2$s
            spec:
        %4$s
              containers:
                - name: app
                  image: %3$s
                  ports:
                    - containerPort: 8080
                      protocol: TCP
        """
            .formatted(name, environment, image, podSpecExtra.indent(6).stripTrailing()));
  }

  /** A Job whose pod runs forever on the hollow node: tests patch its status to end it. */
  static Manifest job(String component, String name) {
    return fromYaml(
        component,
        "templates/" + name + "-job.yaml",
        """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: %1$s
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: example.invalid/migrate:1
        """
            .formatted(name));
  }
}
