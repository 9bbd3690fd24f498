package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import dev.branchyard.spec.Ingress;
import dev.branchyard.spec.Resources;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamespaceLayoutTest {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private static final Map<String, String> NGINX =
      Map.of("kubernetes.io/metadata.name", "ingress-nginx");

  private final NamespaceLayout layout = new NamespaceLayout("by-", Optional.of("nginx"), NGINX);

  private static final EnvironmentIdentity ID =
      new EnvironmentIdentity("shop-pr-42", "uid-1234", "branchyard", "shop", "by-shop-pr-42");

  private static final Map<String, Object> ENVIRONMENT_LABELS =
      Map.of(
          EnvironmentLabels.MANAGED_BY, "branchyard",
          EnvironmentLabels.ENVIRONMENT, "shop-pr-42",
          EnvironmentLabels.COMPONENT, EnvironmentLabels.ENVIRONMENT_COMPONENT,
          EnvironmentLabels.SPEC, "shop");

  @SuppressWarnings("unchecked")
  private static Object at(Manifest manifest, Object... path) {
    Object current = manifest.object();
    for (Object step : path) {
      current =
          step instanceof Integer index
              ? ((List<Object>) current).get(index)
              : ((Map<String, Object>) current).get(step);
    }
    return current;
  }

  private static StackSpec shopSpec() throws IOException {
    Path file = Path.of("env-specs/shop.yaml");
    SpecParseResult result = new SpecParser().parse(file.toString(), Files.readString(file));
    assertThat(result.errors()).isEmpty();
    return ((SpecParseResult.Valid) result).spec();
  }

  @Test
  void namesNamespaceAfterTheEnvironmentWithThePrefix() {
    assertThat(layout.namespaceName("shop", "shop-pr-42")).isEqualTo("by-shop-pr-42");
    assertThat(layout.namespaceName("shop", "shop-feature-x")).isEqualTo("by-shop-feature-x");
    assertThat(new NamespaceLayout("", Optional.empty(), NGINX).namespaceName("shop", "shop-pr-7"))
        .isEqualTo("shop-pr-7");
  }

  @Test
  void putsTheSpecNameFirstAndHashesWhenTheEnvironmentLacksIt() {
    String name = layout.namespaceName("shop", "pr-42");

    assertThat(name).matches("by-shop-pr-42-[0-9a-f]{8}");
    assertThat(name).isNotEqualTo(layout.namespaceName("shop", "shop-pr-42"));
  }

  @Test
  void truncatesLongNamesWithAStableHash() {
    String longName = "shop-feature-" + "very-long-branch-name-".repeat(5);
    String otherLongName = longName + "2";

    String name = layout.namespaceName("shop", longName);

    assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
    assertThat(name).startsWith("by-shop-feature-very-long").matches(".*-[0-9a-f]{8}");
    assertThat(layout.namespaceName("shop", longName)).isEqualTo(name);
    assertThat(layout.namespaceName("shop", otherLongName)).isNotEqualTo(name);
  }

  @Test
  void replacesInvalidCharactersAndKeepsDistinctNamesDistinct() {
    String name = layout.namespaceName("shop", "shop-Feature_X.");

    assertThat(name).matches(DNS_LABEL).startsWith("by-shop-feature-x-");
    assertThat(name).isNotEqualTo(layout.namespaceName("shop", "shop-feature-x"));
    assertThat(layout.namespaceName("shop", "shop-feature-x")).isEqualTo("by-shop-feature-x");
  }

  @Test
  void rejectsPrefixThatIsNoDnsLabelStart() {
    assertThatThrownBy(() -> new NamespaceLayout("By_", Optional.empty(), NGINX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace prefix 'By_'");
  }

  @Test
  void namespacePointsBackToItsEnvironment() {
    Manifest namespace = layout.namespace(ID);

    assertThat(namespace.kind()).isEqualTo("Namespace");
    assertThat(namespace.name()).isEqualTo("by-shop-pr-42");
    assertThat(namespace.component()).isEqualTo(EnvironmentLabels.ENVIRONMENT_COMPONENT);
    assertThat(at(namespace, "metadata", "labels"))
        .isEqualTo(
            Map.of(
                EnvironmentLabels.MANAGED_BY, "branchyard",
                EnvironmentLabels.ENVIRONMENT, "shop-pr-42",
                EnvironmentLabels.HOME_NAMESPACE, "branchyard",
                EnvironmentLabels.SPEC, "shop"));
    assertThat(at(namespace, "metadata", "annotations"))
        .isEqualTo(Map.of(EnvironmentLabels.ENVIRONMENT_UID, "uid-1234"));
  }

  @Test
  void environmentComponentIsAValidLabelValueThatNoComponentCanHave() {
    assertThat(EnvironmentLabels.ENVIRONMENT_COMPONENT)
        .matches(LABEL_VALUE)
        .doesNotMatch(DNS_LABEL);
  }

  @Test
  void quotaAndLimitRangeComeFromTheSpecsResources() throws IOException {
    Resources resources = shopSpec().resources();

    Manifest quota = layout.resourceQuota(ID, resources).orElseThrow();
    Manifest limits = layout.limitRange(ID, resources).orElseThrow();

    assertThat(quota.kind()).isEqualTo("ResourceQuota");
    assertThat(at(quota, "spec"))
        .isEqualTo(
            Map.of(
                "hard",
                Map.of(
                    "requests.cpu", "4",
                    "requests.memory", "8Gi",
                    "limits.memory", "12Gi",
                    "pods", "30")));
    assertThat(at(quota, "metadata", "labels")).isEqualTo(ENVIRONMENT_LABELS);
    assertThat(limits.kind()).isEqualTo("LimitRange");
    assertThat(at(limits, "spec", "limits"))
        .isEqualTo(
            List.of(
                Map.of(
                    "type", "Container",
                    "default", Map.of("cpu", "500m", "memory", "512Mi"),
                    "defaultRequest", Map.of("cpu", "100m", "memory", "128Mi"))));
  }

  @Test
  void noQuotaOrLimitRangeWhenTheSpecSetsNone() {
    assertThat(layout.resourceQuota(ID, Resources.none())).isEmpty();
    assertThat(layout.limitRange(ID, Resources.none())).isEmpty();
    assertThat(layout.limitRange(ID, new Resources(Map.of(), Map.of(), Map.of("memory", "1Gi"))))
        .hasValueSatisfying(
            limits ->
                assertThat(at(limits, "spec", "limits", 0))
                    .isEqualTo(Map.of("type", "Container", "default", Map.of("memory", "1Gi"))));
  }

  @Test
  void networkPoliciesDenyIngressExceptFromTheNamespaceAndTheIngressController() {
    List<Manifest> policies = layout.networkPolicies(ID);

    assertThat(policies).extracting(Manifest::kind).containsOnly("NetworkPolicy");
    assertThat(policies).extracting(Manifest::apiVersion).containsOnly("networking.k8s.io/v1");
    assertThat(at(policies.get(0), "spec"))
        .isEqualTo(Map.of("podSelector", Map.of(), "policyTypes", List.of("Ingress")));
    assertThat(at(policies.get(1), "spec"))
        .isEqualTo(
            Map.of(
                "podSelector",
                Map.of(),
                "policyTypes",
                List.of("Ingress"),
                "ingress",
                List.of(
                    Map.of(
                        "from",
                        List.of(
                            Map.of("podSelector", Map.of()),
                            Map.of("namespaceSelector", Map.of("matchLabels", NGINX)))))));
    assertThat(policies)
        .allSatisfy(p -> assertThat(at(p, "metadata", "labels")).isEqualTo(ENVIRONMENT_LABELS));
  }

  @Test
  void withoutControllerLabelsOnlyTheNamespacesOwnPodsGetIn() {
    List<Manifest> policies =
        new NamespaceLayout("by-", Optional.empty(), Map.of()).networkPolicies(ID);

    assertThat(at(policies.get(1), "spec", "ingress", 0, "from"))
        .isEqualTo(List.of(Map.of("podSelector", Map.of())));
  }

  @Test
  void ingressRoutesTheEnvironmentsHostToTheTarget() {
    Manifest ingress =
        layout.ingress(
            ID, new Ingress("{env}.preview.shop.example.com"), new IngressTarget("web", 80));

    assertThat(ingress.apiVersion()).isEqualTo("networking.k8s.io/v1");
    assertThat(ingress.kind()).isEqualTo("Ingress");
    assertThat(at(ingress, "spec"))
        .isEqualTo(
            Map.of(
                "ingressClassName",
                "nginx",
                "rules",
                List.of(
                    Map.of(
                        "host",
                        "shop-pr-42.preview.shop.example.com",
                        "http",
                        Map.of(
                            "paths",
                            List.of(
                                Map.of(
                                    "path",
                                    "/",
                                    "pathType",
                                    "Prefix",
                                    "backend",
                                    Map.of(
                                        "service",
                                        Map.of("name", "web", "port", Map.of("number", 80))))))))));
  }

  @Test
  void ingressWithoutClassNameLeavesItOut() {
    Manifest ingress =
        new NamespaceLayout("by-", Optional.empty(), NGINX)
            .ingress(ID, new Ingress("{env}.example.com"), new IngressTarget("web", 80));

    assertThat(at(ingress, "spec")).asInstanceOf(MAP).doesNotContainKey("ingressClassName");
  }

  @Test
  void environmentObjectsFollowTheSpec() throws IOException {
    StackSpec shop = shopSpec();

    assertThat(layout.environmentObjects(ID, shop, Optional.of(new IngressTarget("web", 80))))
        .extracting(Manifest::kind)
        .containsExactly(
            "ResourceQuota", "LimitRange", "NetworkPolicy", "NetworkPolicy", "Ingress");
    assertThat(layout.environmentObjects(ID, shop, Optional.empty()))
        .extracting(Manifest::kind)
        .doesNotContain("Ingress");
  }

  @Test
  void copiedSecretKeepsTypeAndDataButNoOwner() {
    Manifest secret =
        layout.copiedSecret(
            ID, "stripe-test-keys", "Opaque", Map.of("key", "c2VjcmV0", "other", "eA=="));

    assertThat(secret.kind()).isEqualTo("Secret");
    assertThat(secret.name()).isEqualTo("stripe-test-keys");
    assertThat(secret.object())
        .containsEntry("type", "Opaque")
        .containsEntry("data", Map.of("key", "c2VjcmV0", "other", "eA=="));
    assertThat(at(secret, "metadata"))
        .isEqualTo(Map.of("name", "stripe-test-keys", "labels", ENVIRONMENT_LABELS));
  }

  @Test
  void ingressTargetIsTheFirstServiceWithItsFirstPort() throws RenderException {
    List<Manifest> manifests =
        new ManifestRenderer()
            .render(
                new TemplateDirectory(Path.of("src/test/resources/fixtures/templates"))
                    .read("labelled"),
                RenderContexts.web());

    assertThat(IngressTarget.firstService(manifests)).contains(new IngressTarget("app", 80));
    assertThat(IngressTarget.firstService(List.of(layout.namespace(ID)))).isEmpty();
  }
}
