package dev.branchyard.spec;

import static dev.branchyard.spec.NodeReader.child;
import static dev.branchyard.spec.NodeReader.item;

import dev.branchyard.spec.YamlNode.Entry;
import dev.branchyard.spec.YamlNode.MapNode;
import dev.branchyard.spec.YamlNode.Mark;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Binds a {@link YamlNode} tree to a {@link StackSpec}, checking every rule of the format and
 * collecting all violations. The field lists here are the format's vocabulary; the JSON schema in
 * {@code env-specs/schema/} is kept in sync with them by a test.
 */
final class SpecBinder {

  /** Known fields per kind of mapping, in documentation order. */
  static final Map<String, List<String>> FIELDS =
      Map.ofEntries(
          Map.entry(
              "stack",
              List.of(
                  "name",
                  "components",
                  "triggers",
                  "ttl",
                  "fallback",
                  "limits",
                  "resources",
                  "ingress",
                  "values",
                  "secrets")),
          Map.entry(
              "component",
              List.of("name", "repo", "pin", "fallback", "build", "deploy", "requires")),
          Map.entry("build", List.of("dockerfile", "context", "args")),
          Map.entry("secretArg", List.of("secret", "key")),
          Map.entry("deploy", List.of("manifests", "chart", "values")),
          Map.entry("triggers", List.of("repos", "baseBranches", "labels", "drafts")),
          Map.entry("ttl", List.of("default", "max")),
          Map.entry("limits", List.of("maxEnvironments", "onLimit")),
          Map.entry("resources", List.of("quota", "limitRange")),
          Map.entry("limitRange", List.of("defaultRequest", "default")),
          Map.entry("ingress", List.of("host")));

  static final int MAX_ENVIRONMENTS = 1000;
  private final NodeReader in;
  private final ComponentBinder components;

  SpecBinder(String file) {
    this.in = new NodeReader(file);
    this.components = new ComponentBinder(in);
  }

  List<SpecError> errors() {
    return in.errors();
  }

  /** The stack, or empty when any error was found (see {@link #errors()}). */
  Optional<StackSpec> bind(YamlNode root) {
    Optional<MapNode> map = in.mapping(root, "", "a mapping with at least name and components");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "", FIELDS.get("stack"), "a stack");

    Optional<String> name =
        in.required(map.get(), f, "", "name", "name the stack with a DNS label, e.g. shop")
            .flatMap(node -> in.dnsLabel(node, "name"));
    List<ComponentSpec> components =
        in.required(map.get(), f, "", "components", "a stack needs at least one component")
            .map(this.components::components)
            .orElse(List.of());
    List<FallbackStep> fallback =
        NodeReader.optional(f, "fallback")
            .flatMap(node -> this.components.fallbackChain(node, "fallback"))
            .orElse(StackSpec.DEFAULT_FALLBACK);
    List<String> componentRepos = components.stream().map(ComponentSpec::repo).distinct().toList();
    Triggers triggers =
        NodeReader.optional(f, "triggers")
            .flatMap(node -> triggers(node, componentRepos))
            .orElse(new Triggers(componentRepos, List.of(), List.of(), false));
    Ttl ttl = NodeReader.optional(f, "ttl").flatMap(this::ttl).orElse(Ttl.defaults());
    Limits limits =
        NodeReader.optional(f, "limits").flatMap(this::limits).orElse(Limits.defaults());
    Resources resources =
        NodeReader.optional(f, "resources").flatMap(this::resources).orElse(Resources.none());
    Optional<Ingress> ingress = NodeReader.optional(f, "ingress").flatMap(this::ingress);
    Map<String, Object> values =
        NodeReader.optional(f, "values")
            .flatMap(node -> in.values(node, "values"))
            .orElse(Map.of());
    List<String> secrets =
        NodeReader.optional(f, "secrets")
            .map(
                node ->
                    in.names(
                        node,
                        "secrets",
                        "Secret name",
                        KubernetesNames::isDnsSubdomain,
                        KubernetesNames.DNS_SUBDOMAIN_RULE))
            .orElse(List.of());

    if (in.hasErrors() || name.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new StackSpec(
            name.get(),
            components,
            triggers,
            ttl,
            fallback,
            limits,
            resources,
            ingress,
            values,
            secrets));
  }

  // --- stack-level settings -------------------------------------------------------------------

  private Optional<Triggers> triggers(YamlNode node, List<String> componentRepos) {
    Optional<MapNode> map =
        in.mapping(node, "triggers", "a mapping with repos, baseBranches, labels and drafts");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "triggers", FIELDS.get("triggers"), "triggers");
    List<String> repos =
        NodeReader.optional(f, "repos")
            .map(
                n ->
                    in.names(
                        n,
                        "triggers.repos",
                        "repository",
                        repo -> RepoId.of(repo).isPresent(),
                        RepoId.RULE))
            .orElse(componentRepos);
    if (f.containsKey("repos")) {
      checkTriggerRepos(f.get("repos").value(), componentRepos);
    }
    List<String> baseBranches =
        NodeReader.optional(f, "baseBranches")
            .map(
                n ->
                    in.names(
                        n,
                        "triggers.baseBranches",
                        "branch pattern",
                        GitNames::isRefGlob,
                        GitNames.REF_NAME_RULE + " ('*' and '?' are wildcards)"))
            .orElse(List.of());
    List<String> labels =
        NodeReader.optional(f, "labels")
            .map(
                n ->
                    in.names(
                        n,
                        "triggers.labels",
                        "label",
                        label -> !label.isBlank() && label.length() <= 50,
                        "GitHub labels are 1 to 50 characters"))
            .orElse(List.of());
    boolean drafts =
        NodeReader.optional(f, "drafts").flatMap(n -> in.bool(n, "triggers.drafts")).orElse(false);
    return Optional.of(new Triggers(repos, baseBranches, labels, drafts));
  }

  /** A trigger repo outside the stack would start environments that contain none of its code. */
  private void checkTriggerRepos(YamlNode node, List<String> componentRepos) {
    if (!(node instanceof YamlNode.ListNode list) || componentRepos.isEmpty()) {
      return;
    }
    for (int i = 0; i < list.items().size(); i++) {
      if (list.items().get(i) instanceof YamlNode.Scalar s
          && RepoId.of(s.text()).isPresent()
          && componentRepos.stream().noneMatch(repo -> RepoId.same(repo, s.text()))) {
        in.error(
            s.mark(),
            item("triggers.repos", i),
            "\""
                + s.text()
                + "\" is not the repo of any component: triggering repos must be among "
                + String.join(", ", componentRepos));
      }
    }
  }

  private Optional<Ttl> ttl(YamlNode node) {
    Optional<MapNode> map =
        in.mapping(node, "ttl", "a mapping with default and max, e.g. {default: 8h, max: 3d}");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "ttl", FIELDS.get("ttl"), "ttl");
    Optional<Duration> defaultTtl =
        NodeReader.optional(f, "default").flatMap(n -> duration(n, "ttl.default"));
    Optional<Duration> max = NodeReader.optional(f, "max").flatMap(n -> duration(n, "ttl.max"));
    if ((f.containsKey("default") && defaultTtl.isEmpty())
        || (f.containsKey("max") && max.isEmpty())) {
      return Optional.empty();
    }
    Duration effectiveDefault = defaultTtl.orElse(Ttl.DEFAULT_TTL);
    Duration effectiveMax = max.orElse(Ttl.DEFAULT_MAX);
    if (effectiveDefault.compareTo(effectiveMax) > 0) {
      YamlNode at = f.containsKey("default") ? f.get("default").value() : f.get("max").value();
      in.error(
          at.mark(),
          f.containsKey("default") ? "ttl.default" : "ttl.max",
          DurationText.format(effectiveDefault)
              + " is longer than "
              + (max.isPresent() ? "ttl.max " : "the default ttl.max ")
              + DurationText.format(effectiveMax)
              + ": the default lifetime must not exceed the maximum");
      return Optional.empty();
    }
    return Optional.of(new Ttl(effectiveDefault, effectiveMax));
  }

  private Optional<Duration> duration(YamlNode node, String path) {
    Optional<String> text = in.text(node, path, "a duration such as 8h");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> duration = DurationText.parse(text.get());
    if (duration.isEmpty()) {
      in.error(node.mark(), path, "\"" + text.get() + "\" is not a duration: " + DurationText.RULE);
    } else if (duration.get().isZero()) {
      in.error(node.mark(), path, "must be longer than zero");
      return Optional.empty();
    }
    return duration;
  }

  private Optional<Limits> limits(YamlNode node) {
    Optional<MapNode> map =
        in.mapping(node, "limits", "a mapping with maxEnvironments and onLimit");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "limits", FIELDS.get("limits"), "limits");
    Optional<Integer> max =
        NodeReader.optional(f, "maxEnvironments")
            .flatMap(n -> in.integer(n, "limits.maxEnvironments", 1, MAX_ENVIRONMENTS));
    Optional<Limits.OnLimit> onLimit = NodeReader.optional(f, "onLimit").flatMap(this::onLimit);
    if ((f.containsKey("maxEnvironments") && max.isEmpty())
        || (f.containsKey("onLimit") && onLimit.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(
        new Limits(
            max.orElse(Limits.DEFAULT_MAX_ENVIRONMENTS), onLimit.orElse(Limits.OnLimit.QUEUE)));
  }

  private Optional<Limits.OnLimit> onLimit(YamlNode node) {
    Map<String, Limits.OnLimit> byName =
        Arrays.stream(Limits.OnLimit.values())
            .collect(
                Collectors.toMap(
                    Limits.OnLimit::yamlName,
                    Function.identity(),
                    (a, b) -> a,
                    LinkedHashMap::new));
    Optional<String> text = in.text(node, "limits.onLimit", "queue or evictOldest");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Limits.OnLimit value = byName.get(text.get());
    if (value == null) {
      String hint =
          ClosestName.among(text.get(), byName.keySet())
              .map(n -> "did you mean '" + n + "'? ")
              .orElse("");
      in.error(
          node.mark(),
          "limits.onLimit",
          "\"" + text.get() + "\" is not a policy: " + hint + "use queue or evictOldest");
    }
    return Optional.ofNullable(value);
  }

  private Optional<Resources> resources(YamlNode node) {
    Optional<MapNode> map = in.mapping(node, "resources", "a mapping with quota and limitRange");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "resources", FIELDS.get("resources"), "resources");
    Map<String, String> quota =
        NodeReader.optional(f, "quota").map(n -> quantities(n, "resources.quota")).orElse(Map.of());
    Map<String, String> defaultRequest = Map.of();
    Map<String, String> defaultLimit = Map.of();
    Optional<MapNode> limitRange =
        NodeReader.optional(f, "limitRange")
            .flatMap(
                n ->
                    in.mapping(
                        n, "resources.limitRange", "a mapping with defaultRequest and default"));
    if (limitRange.isPresent()) {
      Map<String, Entry> lr =
          in.fields(
              limitRange.get(), "resources.limitRange", FIELDS.get("limitRange"), "limitRange");
      defaultRequest =
          NodeReader.optional(lr, "defaultRequest")
              .map(n -> quantities(n, "resources.limitRange.defaultRequest"))
              .orElse(Map.of());
      defaultLimit =
          NodeReader.optional(lr, "default")
              .map(n -> quantities(n, "resources.limitRange.default"))
              .orElse(Map.of());
    }
    return Optional.of(new Resources(quota, defaultRequest, defaultLimit));
  }

  private Map<String, String> quantities(YamlNode node, String path) {
    Map<String, String> quantities = new LinkedHashMap<>();
    Optional<MapNode> map =
        in.mapping(node, path, "a mapping of resource names to quantities, e.g. {cpu: 500m}");
    for (Entry entry : map.map(MapNode::entries).orElse(List.of())) {
      String entryPath = child(path, entry.key());
      if (!KubernetesNames.isResourceName(entry.key())) {
        in.error(
            entry.keyMark(),
            entryPath,
            "is not a resource name: e.g. cpu, memory, requests.cpu, limits.memory, pods");
        continue;
      }
      in.checked(
              entry.value(),
              entryPath,
              "a quantity",
              KubernetesNames::isQuantity,
              "write a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi")
          .ifPresent(q -> quantities.put(entry.key(), q));
    }
    return quantities;
  }

  private Optional<Ingress> ingress(YamlNode node) {
    Optional<MapNode> map =
        in.mapping(
            node, "ingress", "a mapping with host, e.g. {host: \"{env}.preview.example.com\"}");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), "ingress", FIELDS.get("ingress"), "ingress");
    Optional<YamlNode> hostNode =
        in.required(
            map.get(),
            f,
            "ingress",
            "host",
            "give a host pattern such as {env}.preview.example.com");
    Optional<String> host = hostNode.flatMap(n -> in.text(n, "ingress.host", "a host pattern"));
    if (host.isEmpty()) {
      return Optional.empty();
    }
    Mark at = hostNode.get().mark();
    if (!host.get().contains(Ingress.ENV_PLACEHOLDER)) {
      in.error(
          at,
          "ingress.host",
          "\""
              + host.get()
              + "\" has no {env}: each environment needs its own host, e.g. {env}."
              + host.get());
      return Optional.empty();
    }
    String sample = host.get().replace(Ingress.ENV_PLACEHOLDER, "env");
    if (!KubernetesNames.isDnsSubdomain(sample)
        || sample.chars().filter(c -> c == '.').count() < 1) {
      in.error(
          at,
          "ingress.host",
          "\""
              + host.get()
              + "\" is not a host name pattern: write {env} plus lowercase DNS labels separated by"
              + " '.', e.g. {env}.preview.example.com");
      return Optional.empty();
    }
    return Optional.of(new Ingress(host.get()));
  }
}
