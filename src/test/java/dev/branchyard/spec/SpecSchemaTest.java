package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps env-specs/schema/branchyard-spec.schema.json and the parser saying the same thing. */
class SpecSchemaTest {

  private static final Path SCHEMA = Path.of("env-specs/schema/branchyard-spec.schema.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final JsonSchema schema = loadSchema();
  private final SpecParser parser = new SpecParser();

  @Test
  void publishedExamplesAndValidFixturesConformToSchemaAndParser() throws Exception {
    List<Path> specs = new ArrayList<>(yamlFiles(Path.of("env-specs")));
    specs.addAll(yamlFiles(fixtures("valid")));
    assertThat(specs)
        .extracting(p -> p.getFileName().toString())
        .contains("shop.yaml", "platform.yaml");

    for (Path spec : specs) {
      assertThat(schemaErrors(spec)).as("schema errors in %s", spec).isEmpty();
      assertThat(parse(spec).errors()).as("parser errors in %s", spec).isEmpty();
    }
  }

  @Test
  void invalidFixturesAreRejectedByBothSchemaAndParser() throws Exception {
    List<Path> invalid = yamlFiles(fixtures("invalid"));
    assertThat(invalid).hasSizeGreaterThanOrEqualTo(10);

    for (Path spec : invalid) {
      assertThat(schemaErrors(spec)).as("schema accepted %s", spec).isNotEmpty();
      assertThat(parse(spec).isValid()).as("parser accepted %s", spec).isFalse();
    }
  }

  @Test
  void parserRejectsWhatOnlyItCanCheck() throws Exception {
    for (Path spec : yamlFiles(fixtures("validator-only"))) {
      assertThat(parse(spec).isValid()).as("parser accepted %s", spec).isFalse();
    }
  }

  @Test
  void schemaKnowsExactlyTheFieldsTheParserKnows() throws IOException {
    JsonNode root = JSON.readTree(SCHEMA.toFile());
    JsonNode component = root.at("/$defs/component");
    Map<String, JsonNode> sections =
        Map.ofEntries(
            Map.entry("stack", root),
            Map.entry("component", component),
            Map.entry("build", component.at("/properties/build")),
            Map.entry(
                "secretArg",
                component.at("/properties/build/properties/args/additionalProperties/oneOf/1")),
            Map.entry("deploy", component.at("/properties/deploy")),
            Map.entry("triggers", root.at("/properties/triggers")),
            Map.entry("ttl", root.at("/properties/ttl")),
            Map.entry("limits", root.at("/properties/limits")),
            Map.entry("resources", root.at("/properties/resources")),
            Map.entry("limitRange", root.at("/properties/resources/properties/limitRange")),
            Map.entry("ingress", root.at("/properties/ingress")));

    assertThat(sections.keySet()).isEqualTo(SpecBinder.FIELDS.keySet());
    sections.forEach(
        (section, node) -> {
          List<String> schemaFields = new ArrayList<>();
          node.get("properties").fieldNames().forEachRemaining(schemaFields::add);
          assertThat(schemaFields)
              .as("fields of %s", section)
              .containsExactlyInAnyOrderElementsOf(SpecBinder.FIELDS.get(section));
          assertThat(node.get("additionalProperties").asBoolean(true))
              .as("%s rejects unknown fields", section)
              .isFalse();
        });
  }

  private Set<ValidationMessage> schemaErrors(Path spec) throws IOException {
    return schema.validate(YAML.readTree(spec.toFile()));
  }

  private SpecParseResult parse(Path spec) throws IOException {
    return parser.parse(spec.toString(), Files.readString(spec));
  }

  private static JsonSchema loadSchema() {
    try {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(JSON.readTree(SCHEMA.toFile()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA, e);
    }
  }

  static Path fixtures(String kind) throws URISyntaxException {
    return Path.of(SpecSchemaTest.class.getResource("/fixtures/specs/" + kind).toURI());
  }

  static List<Path> yamlFiles(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }
}
