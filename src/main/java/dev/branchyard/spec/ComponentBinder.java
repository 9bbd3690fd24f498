package dev.branchyard.spec;

import static dev.branchyard.spec.NodeReader.child;
import static dev.branchyard.spec.NodeReader.item;

import dev.branchyard.spec.RequiresGraph.Cycle;
import dev.branchyard.spec.RequiresGraph.Edge;
import dev.branchyard.spec.YamlNode.Entry;
import dev.branchyard.spec.YamlNode.MapNode;
import dev.branchyard.spec.YamlNode.Mark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Binds the {@code components} list of a spec, and checks what involves several components: unique
 * names, known {@code requires} targets, no {@code requires} cycles.
 */
final class ComponentBinder {

  /** Keeps the requires graph (and reports) small; far above any real stack. */
  static final int MAX_COMPONENTS = 200;

  private static final Pattern BUILD_ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private static final String PATH_RULE =
      "use a relative path inside the repo, with '/' separators and without '..'";

  private final NodeReader in;

  ComponentBinder(NodeReader in) {
    this.in = in;
  }

  /** A component as far as it could be read, kept even when invalid for the cross-checks. */
  private record Draft(
      String path, Optional<String> name, Mark nameMark, List<Edge<Mark>> requires) {}

  /** The valid components; problems with any, and between them, go to the reader's errors. */
  List<ComponentSpec> components(YamlNode node) {
    List<ComponentSpec> components = new ArrayList<>();
    List<Draft> drafts = new ArrayList<>();
    Optional<List<YamlNode>> items = in.list(node, "components", "a list of components");
    if (items.isEmpty()) {
      return components;
    }
    if (items.get().isEmpty()) {
      in.error(node.mark(), "components", "is empty: a stack needs at least one component");
      return components;
    }
    if (items.get().size() > MAX_COMPONENTS) {
      in.error(
          node.mark(),
          "components",
          "lists "
              + items.get().size()
              + " components: a stack has at most "
              + MAX_COMPONENTS
              + "; split it into several specs");
      return components;
    }
    for (int i = 0; i < items.get().size(); i++) {
      component(items.get().get(i), item("components", i), components, drafts);
    }
    crossCheck(drafts);
    return components;
  }

  private void component(
      YamlNode node, String path, List<ComponentSpec> components, List<Draft> drafts) {
    Optional<MapNode> map =
        in.mapping(node, path, "a component (a mapping with name, repo and deploy)");
    if (map.isEmpty()) {
      return;
    }
    Map<String, Entry> f =
        in.fields(map.get(), path, SpecBinder.FIELDS.get("component"), "a component");
    Optional<YamlNode> nameNode =
        in.required(map.get(), f, path, "name", "name the component with a DNS label, e.g. api");
    Optional<String> name = nameNode.flatMap(n -> in.dnsLabel(n, child(path, "name")));
    Optional<String> repo =
        in.required(
                map.get(),
                f,
                path,
                "repo",
                "give the component's git URL or GitHub owner/name, e.g. acme/api")
            .flatMap(n -> repo(n, child(path, "repo")));
    Optional<RefPolicy> ref = refPolicy(f, path);
    Optional<BuildSpec> build =
        NodeReader.optional(f, "build").flatMap(n -> build(n, child(path, "build")));
    Optional<DeploySpec> deploy =
        in.required(
                map.get(),
                f,
                path,
                "deploy",
                "give either manifests: <directory under templates/> or chart: <path>")
            .flatMap(n -> deploy(n, child(path, "deploy")));
    List<Edge<Mark>> requires = new ArrayList<>();
    List<String> required =
        NodeReader.optional(f, "requires")
            .map(n -> requires(n, child(path, "requires"), name, requires))
            .orElse(List.of());

    drafts.add(
        new Draft(path, name, nameNode.map(YamlNode::mark).orElse(map.get().mark()), requires));
    boolean readable =
        name.isPresent()
            && repo.isPresent()
            && ref.isPresent()
            && deploy.isPresent()
            && (f.get("build") == null || build.isPresent());
    if (readable) {
      components.add(
          new ComponentSpec(name.get(), repo.get(), ref.get(), build, deploy.get(), required));
    }
  }

  private List<String> requires(
      YamlNode node, String path, Optional<String> from, List<Edge<Mark>> edges) {
    List<String> names = new ArrayList<>();
    List<YamlNode> items = in.list(node, path, "a list of component names").orElse(List.of());
    for (int i = 0; i < items.size(); i++) {
      YamlNode itemNode = items.get(i);
      String itemPath = item(path, i);
      Optional<String> target = in.text(itemNode, itemPath, "a component name");
      if (target.isEmpty()) {
        continue;
      }
      if (names.contains(target.get())) {
        in.error(itemNode.mark(), itemPath, "\"" + target.get() + "\" is listed twice");
        continue;
      }
      names.add(target.get());
      from.ifPresent(f -> edges.add(new Edge<>(f, target.get(), itemNode.mark())));
    }
    return names;
  }

  /** Unique names, known {@code requires} targets, no cycles. */
  private void crossCheck(List<Draft> drafts) {
    Map<String, Draft> byName = new LinkedHashMap<>();
    for (Draft draft : drafts) {
      if (draft.name().isEmpty()) {
        continue;
      }
      Draft first = byName.putIfAbsent(draft.name().get(), draft);
      if (first != null) {
        in.error(
            draft.nameMark(),
            child(draft.path(), "name"),
            "\""
                + draft.name().get()
                + "\" is already the name of "
                + first.path()
                + ": component names must be unique within a stack");
      }
    }
    String known = String.join(", ", byName.keySet().stream().sorted().toList());
    List<Edge<Mark>> edges = new ArrayList<>();
    for (Draft draft : drafts) {
      for (int i = 0; i < draft.requires().size(); i++) {
        Edge<Mark> edge = draft.requires().get(i);
        if (byName.containsKey(edge.to())) {
          edges.add(edge);
        } else {
          String hint =
              ClosestName.among(edge.to(), byName.keySet())
                  .map(n -> "did you mean '" + n + "'? ")
                  .orElse("");
          in.error(
              edge.at(),
              child(draft.path(), "requires"),
              "names \""
                  + edge.to()
                  + "\", which is not a component of this stack: "
                  + hint
                  + "known components are "
                  + known);
        }
      }
    }
    for (Cycle<Mark> cycle : RequiresGraph.cycles(List.copyOf(byName.keySet()), edges)) {
      Draft closing = byName.get(cycle.closing().from());
      in.error(
          cycle.closing().at(),
          child(closing.path(), "requires"),
          "forms a cycle: "
              + cycle.describe()
              + "; requires orders deploys, so it must not loop back");
    }
  }

  private Optional<String> repo(YamlNode node, String path) {
    return in.text(node, path, "a git URL or GitHub owner/name")
        .filter(
            repo -> {
              if (RepoId.of(repo).isPresent()) {
                return true;
              }
              in.error(node.mark(), path, "\"" + repo + "\" is not a repository: " + RepoId.RULE);
              return false;
            });
  }

  private Optional<RefPolicy> refPolicy(Map<String, Entry> f, String path) {
    Optional<YamlNode> pin = NodeReader.optional(f, "pin");
    Optional<YamlNode> fallback = NodeReader.optional(f, "fallback");
    if (pin.isPresent() && fallback.isPresent()) {
      in.error(
          f.get("fallback").keyMark(),
          child(path, "fallback"),
          "cannot be combined with pin: a pinned component never follows the PR branch, so it has"
              + " no fallback");
      return Optional.empty();
    }
    if (pin.isPresent()) {
      return pin(pin.get(), child(path, "pin")).map(RefPolicy.Pinned::new);
    }
    if (fallback.isPresent()) {
      return fallbackChain(fallback.get(), child(path, "fallback"))
          .map(chain -> new RefPolicy.FollowBranch(Optional.of(chain)));
    }
    return Optional.of(RefPolicy.FollowBranch.withStackFallback());
  }

  private Optional<String> pin(YamlNode node, String path) {
    Optional<String> text =
        in.text(node, path, "a tag, a branch or a full 40-character commit SHA");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String pin = text.get().strip();
    if (GitNames.isFullSha(pin)) {
      return Optional.of(pin.toLowerCase(Locale.ROOT));
    }
    if (GitNames.looksLikeShortSha(pin)) {
      in.error(
          node.mark(),
          path,
          "\""
              + pin
              + "\" looks like an abbreviated commit SHA: use the full 40-character SHA (tags and"
              + " branches are fine as they are)");
      return Optional.empty();
    }
    String name = pin.replaceFirst("^refs/(heads|tags)/", "");
    if (!GitNames.isRefName(name)) {
      in.error(
          node.mark(),
          path,
          "\""
              + pin
              + "\" is neither a tag, a branch nor a 40-character SHA: "
              + GitNames.REF_NAME_RULE);
      return Optional.empty();
    }
    return Optional.of(pin);
  }

  Optional<List<FallbackStep>> fallbackChain(YamlNode node, String path) {
    Optional<List<YamlNode>> items =
        in.list(node, path, "a list of branch names, where 'base' is the PR's base branch");
    if (items.isEmpty()) {
      return Optional.empty();
    }
    if (items.get().isEmpty()) {
      in.error(
          node.mark(),
          path,
          "is empty: list at least one branch to fall back to, e.g. [base, main]");
      return Optional.empty();
    }
    List<FallbackStep> chain = new ArrayList<>();
    boolean valid = true;
    for (int i = 0; i < items.get().size(); i++) {
      YamlNode itemNode = items.get().get(i);
      String itemPath = item(path, i);
      Optional<String> branch = in.text(itemNode, itemPath, "a branch name or 'base'");
      if (branch.isEmpty()) {
        valid = false;
        continue;
      }
      FallbackStep step =
          branch.get().equals("base")
              ? new FallbackStep.Base()
              : new FallbackStep.Branch(branch.get());
      if (step instanceof FallbackStep.Branch b && !GitNames.isRefName(b.name())) {
        in.error(
            itemNode.mark(),
            itemPath,
            "\"" + b.name() + "\" is not a branch name: " + GitNames.REF_NAME_RULE);
        valid = false;
      } else if (chain.contains(step)) {
        in.error(itemNode.mark(), itemPath, "\"" + branch.get() + "\" is listed twice");
        valid = false;
      } else {
        chain.add(step);
      }
    }
    return valid ? Optional.of(chain) : Optional.empty();
  }

  private Optional<BuildSpec> build(YamlNode node, String path) {
    Optional<MapNode> map = in.mapping(node, path, "a mapping with dockerfile, context and args");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), path, SpecBinder.FIELDS.get("build"), "build");
    String dockerfile =
        NodeReader.optional(f, "dockerfile")
            .flatMap(n -> relativePath(n, child(path, "dockerfile")))
            .orElse(BuildSpec.DEFAULT_DOCKERFILE);
    String context =
        NodeReader.optional(f, "context")
            .flatMap(n -> relativePath(n, child(path, "context")))
            .orElse(BuildSpec.DEFAULT_CONTEXT);
    Map<String, BuildArgValue> args = new LinkedHashMap<>();
    NodeReader.optional(f, "args")
        .flatMap(
            n -> in.mapping(n, child(path, "args"), "a mapping of build argument names to values"))
        .ifPresent(
            argMap -> {
              for (Entry entry : argMap.entries()) {
                buildArg(entry, child(child(path, "args"), entry.key()))
                    .ifPresent(value -> args.put(entry.key(), value));
              }
            });
    return Optional.of(new BuildSpec(dockerfile, context, args));
  }

  private Optional<BuildArgValue> buildArg(Entry entry, String path) {
    if (!BUILD_ARG_NAME.matcher(entry.key()).matches()) {
      in.error(
          entry.keyMark(),
          path,
          "is not a build argument name: use letters, digits and '_', not starting with a digit");
      return Optional.empty();
    }
    if (!(entry.value() instanceof MapNode ref)) {
      return in.text(entry.value(), path, "a value or {secret: <name>, key: <key>}")
          .map(BuildArgValue.Literal::new);
    }
    Map<String, Entry> f =
        in.fields(ref, path, SpecBinder.FIELDS.get("secretArg"), "a secret reference");
    Optional<String> secret =
        in.required(ref, f, path, "secret", "name the secret in Branchyard's namespace")
            .flatMap(
                n ->
                    in.checked(
                        n,
                        child(path, "secret"),
                        "a Secret name",
                        KubernetesNames::isDnsSubdomain,
                        KubernetesNames.DNS_SUBDOMAIN_RULE));
    Optional<String> key =
        in.required(ref, f, path, "key", "name the key within the secret")
            .flatMap(
                n ->
                    in.checked(
                        n,
                        child(path, "key"),
                        "a secret key",
                        KubernetesNames::isSecretKey,
                        "use letters, digits, '-', '_' and '.'"));
    if (secret.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new BuildArgValue.FromSecret(secret.get(), key.get()));
  }

  private Optional<DeploySpec> deploy(YamlNode node, String path) {
    Optional<MapNode> map = in.mapping(node, path, "a mapping with manifests or chart");
    if (map.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Entry> f = in.fields(map.get(), path, SpecBinder.FIELDS.get("deploy"), "deploy");
    Optional<YamlNode> manifests = NodeReader.optional(f, "manifests");
    Optional<YamlNode> chart = NodeReader.optional(f, "chart");
    if (manifests.isPresent() == chart.isPresent()) {
      in.error(
          map.get().mark(),
          path,
          (manifests.isPresent()
                  ? "has both manifests and chart"
                  : "has neither manifests nor chart")
              + ": give exactly one, manifests: <directory under templates/> or chart: <path>");
      return Optional.empty();
    }
    if (manifests.isPresent()) {
      if (f.containsKey("values")) {
        in.error(
            f.get("values").keyMark(),
            child(path, "values"),
            "applies to charts only: manifests see the stack's values");
        return Optional.empty();
      }
      return relativePath(manifests.get(), child(path, "manifests")).map(DeploySpec.Manifests::new);
    }
    Optional<String> chartPath =
        chart.get() instanceof YamlNode.Scalar s && s.text().startsWith("oci://")
            ? Optional.of(s.text())
            : relativePath(chart.get(), child(path, "chart"));
    // Invalid values are already reported; the stack as a whole is then rejected.
    Map<String, Object> values =
        NodeReader.optional(f, "values")
            .flatMap(n -> in.values(n, child(path, "values")))
            .orElse(Map.of());
    return chartPath.map(p -> new DeploySpec.Chart(p, values));
  }

  private Optional<String> relativePath(YamlNode node, String path) {
    return in.checked(
        node,
        path,
        "a relative path",
        p ->
            !p.startsWith("/")
                && !p.contains("\\")
                && Arrays.stream(p.split("/")).noneMatch(".."::equals),
        PATH_RULE);
  }
}
