package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestRendererTest {

  private static final Path FIXTURES = Path.of("src/test/resources/fixtures/templates");

  private final ManifestRenderer renderer = new ManifestRenderer();

  private static TemplateFile file(String... lines) {
    return new TemplateFile("templates/shop/web/config.yaml", String.join("\n", lines) + "\n");
  }

  private static TemplateFile configMap(String... dataLines) {
    String[] lines = new String[5 + dataLines.length];
    lines[0] = "apiVersion: v1";
    lines[1] = "kind: ConfigMap";
    lines[2] = "metadata:";
    lines[3] = "  name: config";
    lines[4] = "data:";
    System.arraycopy(dataLines, 0, lines, 5, dataLines.length);
    return file(lines);
  }

  private Map<String, Object> renderOne(TemplateFile file, RenderContext context)
      throws RenderException {
    List<Manifest> manifests = renderer.render(List.of(file), context);
    assertThat(manifests).hasSize(1);
    return manifests.get(0).object();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
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
  void substitutesKnownPlaceholdersInsideStrings() throws RenderException {
    Map<String, Object> object =
        renderOne(
            configMap(
                "  api: \"http://{{ service.api }}:8080/{{env}}\"",
                "  where: \"{{ namespace }}/{{ component }} of {{ spec }}\"",
                "  source: \"{{ repo }}@{{ commit }}\"",
                "  image: \"{{ image }}\"",
                "  host: https://{{ host }}/",
                "  level: \"level={{ values.logLevel }}\""),
            RenderContexts.web());

    assertThat(map(object.get("data")))
        .containsEntry("api", "http://api:8080/shop-pr-42")
        .containsEntry("where", "by-shop-pr-42/web of shop")
        .containsEntry("source", "acme/shop-web@" + RenderContexts.COMMIT)
        .containsEntry("image", RenderContexts.web().image().orElseThrow())
        .containsEntry("host", "https://shop-pr-42.preview.shop.example.com/")
        .containsEntry("level", "level=debug");
  }

  @Test
  void wholeScalarPlaceholderTakesTheValuesType() throws RenderException {
    Map<String, Object> object =
        renderOne(
            configMap(
                "  replicas: \"{{ values.replicas }}\"",
                "  flags: \"{{ values.featureFlags }}\"",
                "  flag: '{{ values.featureFlags.newCheckout }}'",
                "  ports: \"{{ values.ports }}\"",
                "  second: \"{{ values.ports.1 }}\"",
                "  asString: !!str \"{{ values.featureFlags.newCheckout }}\"",
                "  inText: \"{{ values.replicas }}x {{ values.featureFlags }}\""),
            RenderContexts.web());

    assertThat(map(object.get("data")))
        .containsEntry("replicas", 3)
        .containsEntry("flags", Map.of("newCheckout", true))
        .containsEntry("flag", true)
        .containsEntry("ports", List.of(8080, 8081))
        .containsEntry("second", 8081)
        .containsEntry("asString", "true")
        .containsEntry("inText", "3x {\"newCheckout\":true}");
  }

  @Test
  void valueLookingLikeYamlStaysOneString() throws RenderException {
    String evil = "x\": \n- evil\nkind: Secret";
    Map<String, Object> object =
        renderOne(
            configMap("  whole: \"{{ values.evil }}\"", "  inside: \"a {{ values.evil }} b\""),
            RenderContexts.webWithValues(Map.of("evil", evil)));

    assertThat(object.get("kind")).isEqualTo("ConfigMap");
    assertThat(map(object.get("data")))
        .containsOnlyKeys("whole", "inside")
        .containsEntry("whole", evil)
        .containsEntry("inside", "a " + evil + " b");
  }

  @Test
  void substitutedValuesAreNotScannedForPlaceholdersAgain() throws RenderException {
    Map<String, Object> object =
        renderOne(
            configMap("  value: \"{{ values.tricky }}\""),
            RenderContexts.webWithValues(Map.of("tricky", "{{ namespace }}")));

    assertThat(map(object.get("data"))).containsEntry("value", "{{ namespace }}");
  }

  @Test
  void writesLiteralBracesWithTheEscape() throws RenderException {
    Map<String, Object> object =
        renderOne(configMap("  go: '{{ \"{{\" }} .Name }}'"), RenderContexts.web());

    assertThat(map(object.get("data"))).containsEntry("go", "{{ .Name }}");
  }

  @Test
  void unknownPlaceholderNamesFileLineColumnAndSuggestsTheClosestName() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  other: plain", "  image: \"{{ imag }}\"")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageStartingWith(
            "templates/shop/web/config.yaml:7:10: unknown placeholder {{ imag }}")
        .hasMessageContaining(
            "valid are image, env, namespace, host, component, commit, repo, spec")
        .hasMessageContaining("service.<component> (api, postgres, web)")
        .hasMessageContaining("values.<path>")
        .hasMessageContaining("Did you mean {{ image }}?");
  }

  @Test
  void helmSyntaxIsAnUnknownPlaceholder() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  level: \"{{ .Values.logLevel }}\"")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining(":6:10: unknown placeholder {{ .Values.logLevel }}");
  }

  @Test
  void hostIsMissingWithoutIngress() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  url: \"https://{{ host }}\"")),
                    RenderContexts.withoutImageOrHost()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:6:8: {{ host }} has no value")
        .hasMessageContaining("has no ingress");
  }

  @Test
  void imageIsMissingForComponentThatBuildsNone() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  image: \"{{ image }}\"")),
                    RenderContexts.withoutImageOrHost()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:6:10: {{ image }} has no value")
        .hasMessageContaining("component 'postgres' builds no image");
  }

  @Test
  void unknownValuesPathSaysWhatExistsAndSuggests() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  flag: \"{{ values.featureFlags.newChekout }}\"")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("{{ values.featureFlags.newChekout }} has no value")
        .hasMessageContaining("no value 'newChekout' under values.featureFlags")
        .hasMessageContaining("values.featureFlags has newCheckout")
        .hasMessageContaining("Did you mean 'values.featureFlags.newCheckout'?");
  }

  @Test
  void serviceOfUnknownComponentListsTheComponents() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  api: \"{{ service.apj }}\"")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("{{ service.apj }} has no value")
        .hasMessageContaining("components: api, postgres, web")
        .hasMessageContaining("Did you mean 'service.api'?");
  }

  @Test
  void placeholderInKeyIsRejected() {
    assertThatThrownBy(
            () ->
                renderer.render(List.of(configMap("  \"{{ env }}\": value")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:6:3: placeholder in the key '{{ env }}'");
  }

  @Test
  void unclosedPlaceholderIsRejected() {
    assertThatThrownBy(
            () -> renderer.render(List.of(configMap("  a: \"{{ env\"")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:6:6: '{{' without a closing '}}'");
  }

  @Test
  void invalidYamlIsLocated() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(file("apiVersion: v1", "kind: ConfigMap", "metadata: [unclosed")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageMatching("templates/shop/web/config.yaml:\\d+:\\d+: invalid YAML: .*");
  }

  @Test
  void unquotedLeadingPlaceholderGetsAQuotingHint() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(configMap("  image: {{ image }}:latest")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageStartingWith("templates/shop/web/config.yaml:6:")
        .hasMessageContaining(
            "invalid YAML: '{' starts a mapping here; a value that starts with a placeholder must"
                + " be quoted: \"{{ image }}\"");
  }

  @Test
  void objectWithoutKindOrNameIsRejected() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(file("apiVersion: v1", "metadata:", "  name: x")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:1:1: no kind: every object needs apiVersion, kind");
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(file("apiVersion: v1", "kind: ConfigMap", "metadata:", "  labels: {}")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("no metadata.name");
    assertThatThrownBy(
            () -> renderer.render(List.of(file("- just", "- a list")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:1:1: a document must be a Kubernetes object")
        .hasMessageContaining("not a list");
  }

  @Test
  void objectInAnotherNamespaceIsRejected() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    List.of(
                        file(
                            "apiVersion: v1",
                            "kind: ConfigMap",
                            "metadata:",
                            "  name: config",
                            "  namespace: kube-system")),
                    RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:5:14: ConfigMap 'config' is in namespace 'kube-system'")
        .hasMessageContaining("may only write its own namespace (by-shop-pr-42)");
  }

  @Test
  void objectInTheEnvironmentsOwnNamespaceIsAccepted() throws RenderException {
    Map<String, Object> object =
        renderOne(
            file(
                "apiVersion: v1",
                "kind: ConfigMap",
                "metadata:",
                "  name: config",
                "  namespace: \"{{ namespace }}\""),
            RenderContexts.web());

    assertThat(at(object, "metadata", "namespace")).isEqualTo(RenderContexts.NAMESPACE);
  }

  @Test
  void clusterScopedKindsAreRejected() {
    for (String kind : List.of("ClusterRole", "Namespace", "CustomResourceDefinition")) {
      assertThatThrownBy(
              () ->
                  renderer.render(
                      List.of(
                          file(
                              "apiVersion: rbac.authorization.k8s.io/v1",
                              "kind: " + kind,
                              "metadata:",
                              "  name: everything")),
                      RenderContexts.web()))
          .isInstanceOf(RenderException.class)
          .hasMessageContaining("config.yaml:2:7: " + kind + " 'everything' is cluster-scoped");
    }
  }

  @Test
  void yamlAliasesAreRejected() {
    assertThatThrownBy(
            () ->
                renderer.render(List.of(configMap("  a: &x one", "  b: *x")), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:7:6: YAML aliases (*x) are not supported");
  }

  @Test
  void sameObjectTwiceIsRejected() {
    TemplateFile twice =
        file(
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata: {name: config}",
            "---",
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata: {name: config}");

    assertThatThrownBy(() -> renderer.render(List.of(twice), RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("config.yaml:5:1: ConfigMap 'config' is already defined at")
        .hasMessageContaining("config.yaml:1:1");
  }

  @Test
  void labelsObjectsAndPodTemplatesButNeverSelectors() throws RenderException {
    List<Manifest> manifests =
        renderer.render(new TemplateDirectory(FIXTURES).read("labelled"), RenderContexts.web());
    Map<String, Object> expected =
        Map.of(
            "app.kubernetes.io/managed-by", "branchyard",
            "branchyard.dev/environment", "shop-pr-42",
            "branchyard.dev/component", "web",
            "branchyard.dev/spec", "shop");

    assertThat(manifests)
        .extracting(Manifest::kind)
        .containsExactly("Deployment", "Service", "CronJob");
    Map<String, Object> deployment = manifests.get(0).object();
    assertThat(map(at(deployment, "metadata", "labels")))
        .containsAllEntriesOf(expected)
        .containsEntry("app", "app");
    assertThat(map(at(deployment, "spec", "template", "metadata", "labels")))
        .containsAllEntriesOf(expected)
        .containsEntry("app", "app");
    assertThat(at(deployment, "spec", "selector"))
        .isEqualTo(Map.of("matchLabels", Map.of("app", "app")));
    Map<String, Object> service = manifests.get(1).object();
    assertThat(map(at(service, "metadata", "labels"))).containsAllEntriesOf(expected);
    assertThat(at(service, "spec", "selector")).isEqualTo(Map.of("app", "app"));
    Map<String, Object> cronJob = manifests.get(2).object();
    assertThat(map(at(cronJob, "spec", "jobTemplate", "metadata", "labels")))
        .containsAllEntriesOf(expected);
    assertThat(map(at(cronJob, "spec", "jobTemplate", "spec", "template", "metadata", "labels")))
        .containsAllEntriesOf(expected);
    assertThat(manifests).extracting(Manifest::component).containsOnly("web");
  }

  @Test
  void environmentsLabelsWinOverTheTemplates() throws RenderException {
    Map<String, Object> object =
        renderOne(
            file(
                "apiVersion: v1",
                "kind: ConfigMap",
                "metadata:",
                "  name: config",
                "  labels:",
                "    branchyard.dev/environment: someone-else"),
            RenderContexts.web());

    assertThat(map(at(object, "metadata", "labels")))
        .containsEntry("branchyard.dev/environment", "shop-pr-42");
  }

  @Test
  void defaultsPortProtocolToTcp() throws RenderException {
    List<Manifest> manifests =
        renderer.render(new TemplateDirectory(FIXTURES).read("labelled"), RenderContexts.web());
    Map<String, Object> deployment = manifests.get(0).object();
    Map<String, Object> podSpec = map(at(deployment, "spec", "template", "spec"));

    assertThat(at(podSpec, "containers", 0, "ports"))
        .asInstanceOf(LIST)
        .containsExactly(
            Map.of("containerPort", 8080, "protocol", "TCP"),
            Map.of("containerPort", 8125, "protocol", "UDP"));
    assertThat(at(podSpec, "initContainers", 0, "ports", 0))
        .isEqualTo(Map.of("containerPort", 9000, "protocol", "TCP"));
    assertThat(at(manifests.get(1).object(), "spec", "ports", 0))
        .asInstanceOf(MAP)
        .containsEntry("port", 80)
        .containsEntry("protocol", "TCP");
    assertThat(at(deployment, "spec", "replicas")).isEqualTo(3);
  }

  @Test
  void rendersEveryDocumentOfMultiDocumentFilesAndSkipsEmptyOnes() throws RenderException {
    List<Manifest> manifests =
        renderer.render(new TemplateDirectory(FIXTURES).read("multi"), RenderContexts.web());

    assertThat(manifests).extracting(Manifest::name).containsExactly("first", "second");
    assertThat(at(manifests.get(0).object(), "data", "env")).isEqualTo("shop-pr-42");
    assertThat(at(manifests.get(1).object(), "data", "namespace"))
        .isEqualTo(RenderContexts.NAMESPACE);
    assertThat(manifests.get(1).origin()).endsWith("multi/objects.yml:13:1");
  }

  @Test
  void ignoresFilesThatAreNotYaml() throws RenderException {
    List<Manifest> manifests =
        renderer.render(
            List.of(new TemplateFile("templates/x/notes.txt", "not: [yaml"), configMap("  a: b")),
            RenderContexts.web());

    assertThat(manifests).extracting(Manifest::name).containsExactly("config");
  }

  @Test
  void chartOutputIsCheckedAndLabelledWithoutSubstitution() throws RenderException {
    String output =
        String.join(
            "\n",
            "---",
            "# Source: demo/templates/configmap.yaml",
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: demo",
            "data:",
            "  literal: \"{{ not-a-placeholder }}\"",
            "---",
            "# Source: demo/templates/tests/test.yaml",
            "apiVersion: v1",
            "kind: Pod",
            "metadata:",
            "  name: demo-test",
            "  annotations:",
            "    helm.sh/hook: test",
            "spec: {containers: [{name: t, image: busybox}]}",
            "");

    List<Manifest> manifests =
        renderer.renderChartOutput("charts/demo", output, RenderContexts.web());

    assertThat(manifests).extracting(Manifest::name).containsExactly("demo");
    assertThat(at(manifests.get(0).object(), "data", "literal"))
        .isEqualTo("{{ not-a-placeholder }}");
    assertThat(map(at(manifests.get(0).object(), "metadata", "labels")))
        .containsEntry("branchyard.dev/component", "web");
    assertThat(manifests.get(0).origin())
        .isEqualTo("demo/templates/configmap.yaml (helm output):3:1");
  }

  @Test
  void chartOutputInAnotherNamespaceNamesTheTemplate() {
    String output =
        String.join(
            "\n",
            "---",
            "# Source: demo/templates/role.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1",
            "kind: ClusterRoleBinding",
            "metadata:",
            "  name: demo",
            "");

    assertThatThrownBy(
            () -> renderer.renderChartOutput("charts/demo", output, RenderContexts.web()))
        .isInstanceOf(RenderException.class)
        .hasMessageStartingWith(
            "demo/templates/role.yaml (helm output):4:7: ClusterRoleBinding 'demo' is cluster-scoped");
  }
}
