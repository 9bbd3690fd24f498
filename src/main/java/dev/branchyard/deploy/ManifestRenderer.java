package dev.branchyard.deploy;

import dev.branchyard.Pure;
import dev.branchyard.deploy.YamlDocuments.Document;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a component's templates, or a chart's rendered output, into the {@link Manifest}s to apply
 * to its environment. Templates get their {@code {{ name }}} placeholders substituted on the parsed
 * YAML tree, never on the text, so a value can never inject YAML (see {@code templates/README.md}).
 * Both then pass the same rules: every object named, namespaced and in the environment's own
 * namespace, labelled with the environment, component and spec, ports given a protocol.
 */
@Pure
public final class ManifestRenderer {

  private static final Pattern HELM_SOURCE = Pattern.compile("^# Source: (.+)$", Pattern.MULTILINE);

  /**
   * Renders every {@code *.yaml}/{@code *.yml} file of a component's template directory, in the
   * order given, documents in file order; files with other names are ignored.
   *
   * @throws RenderException naming file, line and column: invalid YAML, an unknown placeholder or
   *     one without a value, an object without apiVersion/kind/metadata.name, a cluster-scoped
   *     kind, a foreign namespace, or one object defined twice
   */
  public List<Manifest> render(List<TemplateFile> files, RenderContext context)
      throws RenderException {
    ManifestRules rules = new ManifestRules(context);
    List<Manifest> manifests = new ArrayList<>();
    for (TemplateFile file : files) {
      if (!isYaml(file.path())) {
        continue;
      }
      Placeholders placeholders = new Placeholders(file.path(), context);
      for (Document document : YamlDocuments.read(file.path(), file.text(), placeholders)) {
        manifests.add(rules.apply(file.path(), document));
      }
    }
    return unique(manifests);
  }

  /**
   * Checks and labels what {@code helm template} printed for a component's chart, without any
   * placeholder substitution. Objects are named in errors by helm's {@code # Source:} comments,
   * with lines and columns of helm's output; chart test hooks ({@code helm.sh/hook: test}) are left
   * out, since they are not part of the environment.
   *
   * @param chart names the chart in errors, e.g. {@code acme/shop-infra:charts/postgres}
   * @param output helm's multi-document YAML
   */
  public List<Manifest> renderChartOutput(String chart, String output, RenderContext context)
      throws RenderException {
    ManifestRules rules = new ManifestRules(context);
    List<Integer> sourceLines = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    Matcher source = HELM_SOURCE.matcher(output);
    while (source.find()) {
      sourceLines.add(lineAt(output, source.start()));
      sources.add(source.group(1).strip());
    }
    List<Manifest> manifests = new ArrayList<>();
    String origin = chart + " (helm output)";
    for (Document document : YamlDocuments.read(origin, output, YamlDocuments.VERBATIM)) {
      if (isTestHook(document.tree())) {
        continue;
      }
      String file = origin;
      for (int i = 0; i < sourceLines.size() && sourceLines.get(i) < document.start().line(); i++) {
        file = sources.get(i) + " (helm output)";
      }
      manifests.add(rules.apply(file, document));
    }
    return unique(manifests);
  }

  private static boolean isYaml(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml");
  }

  private static boolean isTestHook(Map<String, Object> tree) {
    return tree.get("metadata") instanceof Map<?, ?> metadata
        && metadata.get("annotations") instanceof Map<?, ?> annotations
        && annotations.get("helm.sh/hook") instanceof String hook
        && List.of(hook.split(",")).stream()
            .map(String::strip)
            .anyMatch(h -> h.equals("test") || h.equals("test-success"));
  }

  private static List<Manifest> unique(List<Manifest> manifests) throws RenderException {
    Map<Manifest.ObjectKey, Manifest> seen = new HashMap<>();
    for (Manifest manifest : manifests) {
      Manifest earlier = seen.putIfAbsent(manifest.key(), manifest);
      if (earlier != null) {
        throw new RenderException(
            manifest.origin()
                + ": "
                + manifest.kind()
                + " '"
                + manifest.name()
                + "' is already defined at "
                + earlier.origin()
                + ": each object may be defined once per component");
      }
    }
    return List.copyOf(manifests);
  }

  private static int lineAt(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
