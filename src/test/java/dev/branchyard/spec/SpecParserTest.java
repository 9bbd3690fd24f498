package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecParserTest {

  private static final String FILE = "env-specs/shop.yaml";

  private final SpecParser parser = new SpecParser();

  // --- valid specs ----------------------------------------------------------------------------

  @Test
  void readsPublishedShopSpecWithAllItsSettings() throws IOException {
    StackSpec shop = valid(Files.readString(Path.of("env-specs/shop.yaml")));

    assertThat(shop.name()).isEqualTo("shop");
    assertThat(shop.components())
        .extracting(ComponentSpec::name)
        .containsExactly("web", "api", "worker", "postgres");
    ComponentSpec web = shop.component("web").orElseThrow();
    assertThat(web.requires()).containsExactly("api");
    assertThat(web.build().orElseThrow().args())
        .containsEntry("NODE_ENV", new BuildArgValue.Literal("production"))
        .containsEntry("NPM_TOKEN", new BuildArgValue.FromSecret("npm-registry", "token"));
    assertThat(shop.component("postgres").orElseThrow().ref())
        .isEqualTo(new RefPolicy.Pinned("v3.2.0"));
    assertThat(shop.component("postgres").orElseThrow().deploy())
        .isInstanceOf(DeploySpec.Chart.class);
    assertThat(shop.fallbackFor(shop.component("worker").orElseThrow()))
        .containsExactly(
            new FallbackStep.Base(),
            new FallbackStep.Branch("develop"),
            new FallbackStep.Branch("main"));
    assertThat(shop.triggers().baseBranches()).containsExactly("main", "release/*");
    assertThat(shop.ttl()).isEqualTo(new Ttl(Duration.ofHours(8), Duration.ofDays(3)));
    assertThat(shop.limits()).isEqualTo(new Limits(15, Limits.OnLimit.QUEUE));
    assertThat(shop.resources().quota())
        .containsEntry("requests.cpu", "4")
        .containsEntry("pods", "30");
    assertThat(shop.resources().defaultLimit()).containsEntry("memory", "512Mi");
    assertThat(shop.ingress().orElseThrow().hostFor("shop-pr-42"))
        .isEqualTo("shop-pr-42.preview.shop.example.com");
    assertThat(shop.values()).containsEntry("featureFlags", Map.of("newCheckout", true));
    assertThat(shop.secrets()).containsExactly("stripe-test-keys", "npm-registry");
  }

  @Test
  void readsPublishedPlatformSpecWithPinsAndCharts() throws IOException {
    StackSpec platform = valid(Files.readString(Path.of("env-specs/platform.yaml")));

    assertThat(platform.components()).hasSize(10);
    assertThat(platform.component("payments").orElseThrow().ref())
        .isEqualTo(new RefPolicy.Pinned("3f786850e387550fdab836ed7e6dc881de23001b"));
    assertThat(platform.component("redis").orElseThrow().deploy())
        .isEqualTo(
            new DeploySpec.Chart(
                "oci://registry-1.docker.io/bitnamicharts/redis",
                Map.of("architecture", "standalone")));
    assertThat(platform.limits().onLimit()).isEqualTo(Limits.OnLimit.EVICT_OLDEST);
  }

  @Test
  void fillsDefaultsForEverythingAMinimalSpecLeavesOut() {
    StackSpec spec = valid(minimal());

    ComponentSpec app = spec.components().get(0);
    assertThat(app.ref()).isEqualTo(RefPolicy.FollowBranch.withStackFallback());
    assertThat(app.build()).isEmpty();
    assertThat(app.requires()).isEmpty();
    assertThat(spec.fallback()).isEqualTo(StackSpec.DEFAULT_FALLBACK);
    assertThat(spec.fallbackFor(app))
        .containsExactly(new FallbackStep.Base(), new FallbackStep.Branch("main"));
    assertThat(spec.triggers())
        .isEqualTo(new Triggers(List.of("acme/app"), List.of(), List.of(), false));
    assertThat(spec.ttl()).isEqualTo(Ttl.defaults());
    assertThat(spec.limits()).isEqualTo(new Limits(10, Limits.OnLimit.QUEUE));
    assertThat(spec.resources()).isEqualTo(Resources.none());
    assertThat(spec.ingress()).isEmpty();
    assertThat(spec.values()).isEmpty();
    assertThat(spec.secrets()).isEmpty();
  }

  @Test
  void defaultsDockerfileAndContextOfAnEmptyBuild() {
    StackSpec spec = valid(minimal().replace("    deploy:", "    build: {}\n    deploy:"));

    assertThat(spec.components().get(0).build())
        .contains(new BuildSpec("Dockerfile", ".", Map.of()));
  }

  @Test
  void keepsTagNamesThatYamlWouldReadAsNumbers() {
    StackSpec spec = valid(minimal().replace("    deploy:", "    pin: 1.10\n    deploy:"));

    assertThat(spec.components().get(0).ref()).isEqualTo(new RefPolicy.Pinned("1.10"));
  }

  @Test
  void acceptsAllDigitTagThatLooksLikeHex() {
    StackSpec spec = valid(minimal().replace("    deploy:", "    pin: \"20240101\"\n    deploy:"));

    assertThat(spec.components().get(0).ref()).isEqualTo(new RefPolicy.Pinned("20240101"));
  }

  @Test
  void readsFromAReaderLikeFromAString() {
    assertThat(parser.parse(FILE, new StringReader(minimal())))
        .isEqualTo(parser.parse(FILE, minimal()));
  }

  // --- error format ---------------------------------------------------------------------------

  @Test
  void locatesErrorsByFileLineAndColumnAndSaysWhatIsValid() {
    String yaml =
        """
        name: shop
        components:
          - name: web
            repo: acme/web
            deploy: {manifests: shop/web}
          - name: Web_App
            repo: acme/webapp
            deploy: {manifests: shop/webapp}
        """;

    assertThat(errors(yaml))
        .containsExactly(
            "env-specs/shop.yaml:6:11: components[1].name \"Web_App\" is not a DNS label: use"
                + " lowercase letters, digits and '-', at most 63 characters, starting and ending"
                + " with a letter or digit");
  }

  @Test
  void reportsEveryErrorOfASpecAtOnceInSourceOrder() {
    String yaml =
        """
        name: Shop
        components:
          - name: web
            repo: nope
            deploy: {manifests: /abs}
        ttl: {default: forever}
        ingress: {host: example.com}
        """;

    List<SpecError> errors = parser.parse(FILE, yaml).errors();

    assertThat(errors)
        .extracting(SpecError::path)
        .containsExactly(
            "name",
            "components[0].repo",
            "components[0].deploy.manifests",
            "ttl.default",
            "ingress.host");
    assertThat(errors).extracting(SpecError::line).isSorted();
  }

  // --- field-level errors ---------------------------------------------------------------------

  @Test
  void suggestsClosestKnownFieldForAnUnknownOne() {
    assertThat(errors(minimal().replace("    deploy:", "    requries: [db]\n    deploy:")))
        .containsExactly(
            FILE
                + ":6:5: components[0].requries is not a field of a component: did you mean 'requires'?");
  }

  @Test
  void listsKnownFieldsWhenNoneIsClose() {
    assertThat(errors(minimal() + "colour: blue\n"))
        .singleElement()
        .asString()
        .contains("colour is not a field of a stack: known fields are name, components, triggers");
  }

  @Test
  void reportsWrongTypesWithWhatWasFound() {
    String yaml =
        minimal().replace("    deploy:", "    requires: db\n    deploy:")
            + "triggers: {drafts: maybe}\n";

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":6:15: components[0].requires must be a list of component names, not the string \"db\"",
            FILE + ":9:20: triggers.drafts must be true or false, not the string \"maybe\"");
  }

  @Test
  void reportsMissingRequiredFieldsAtTheMappingThatLacksThem() {
    String yaml =
        """
        name: shop
        components:
          - name: api
        """;

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":3:5: components[0].deploy is required: give either manifests: <directory under templates/> or chart: <path>",
            FILE
                + ":3:5: components[0].repo is required: give the component's git URL or GitHub owner/name, e.g. acme/api");
  }

  @Test
  void rejectsAStackWithoutComponents() {
    assertThat(errors("name: shop\ncomponents: []\n"))
        .containsExactly(FILE + ":2:13: components is empty: a stack needs at least one component");
    assertThat(errors("name: shop\n"))
        .containsExactly(
            FILE + ":1:1: components is required: a stack needs at least one component");
  }

  @Test
  void rejectsDuplicateComponentNames() {
    String yaml =
        minimal() + "  - name: app\n    repo: acme/other\n    deploy: {manifests: other}\n";

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":8:11: components[1].name \"app\" is already the name of components[0]: component names must be unique within a stack");
  }

  @Test
  void namesTheCycleWhenRequiresLoops() {
    String yaml =
        """
        name: shop
        components:
          - {name: web, repo: acme/web, deploy: {manifests: web}, requires: [api]}
          - {name: api, repo: acme/api, deploy: {manifests: api}, requires: [worker]}
          - {name: worker, repo: acme/worker, deploy: {manifests: worker}, requires: [web]}
        """;

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":5:79: components[2].requires forms a cycle: web -> api -> worker -> web; requires orders deploys, so it must not loop back");
  }

  @Test
  void reportsAComponentRequiringItselfAsACycle() {
    assertThat(errors(minimal().replace("    deploy:", "    requires: [app]\n    deploy:")))
        .singleElement()
        .asString()
        .contains("forms a cycle: app -> app");
  }

  @Test
  void listsKnownComponentsForAnUnknownRequiresTarget() {
    String yaml =
        """
        name: shop
        components:
          - {name: web, repo: acme/web, deploy: {manifests: web}, requires: [apj, db]}
          - {name: api, repo: acme/api, deploy: {manifests: api}}
        """;

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":3:70: components[0].requires names \"apj\", which is not a component of this stack: did you mean 'api'? known components are api, web",
            FILE
                + ":3:75: components[0].requires names \"db\", which is not a component of this stack: known components are api, web");
  }

  @Test
  void rejectsTtlDefaultAboveMax() {
    assertThat(errors(minimal() + "ttl: {default: 2d, max: 1d12h}\n"))
        .containsExactly(
            FILE
                + ":8:16: ttl.default 2d is longer than ttl.max 1d12h: the default lifetime must not exceed the maximum");
  }

  @Test
  void rejectsTtlDefaultAboveTheDefaultMax() {
    assertThat(errors(minimal() + "ttl: {default: 4d}\n"))
        .singleElement()
        .asString()
        .contains("ttl.default 4d is longer than the default ttl.max 3d");
  }

  @Test
  void explainsTheDurationFormatForAnUnparseableDuration() {
    assertThat(errors(minimal() + "ttl:\n  max: 2 days\n"))
        .containsExactly(
            FILE
                + ":9:8: ttl.max \"2 days\" is not a duration: write it like 8h, 1h30m or 2d (units d, h, m, s, largest first)");
  }

  @Test
  void rejectsAZeroDuration() {
    assertThat(errors(minimal() + "ttl: {default: 0h}\n"))
        .containsExactly(FILE + ":8:16: ttl.default must be longer than zero");
  }

  @Test
  void asksForTheFullShaWhenAPinLooksAbbreviated() {
    assertThat(errors(minimal().replace("    deploy:", "    pin: 3f78685\n    deploy:")))
        .containsExactly(
            FILE
                + ":6:10: components[0].pin \"3f78685\" looks like an abbreviated commit SHA: use the full 40-character SHA (tags and branches are fine as they are)");
  }

  @Test
  void rejectsAPinThatIsNoRefName() {
    assertThat(errors(minimal().replace("    deploy:", "    pin: \"v1..2\"\n    deploy:")))
        .singleElement()
        .asString()
        .contains("components[0].pin \"v1..2\" is neither a tag, a branch nor a 40-character SHA");
  }

  @Test
  void rejectsPinCombinedWithFallback() {
    String yaml =
        minimal().replace("    deploy:", "    pin: v1\n    fallback: [main]\n    deploy:");

    assertThat(errors(yaml))
        .singleElement()
        .asString()
        .contains("components[0].fallback cannot be combined with pin");
  }

  @Test
  void rejectsBothManifestsAndChart() {
    assertThat(
            errors(
                minimal()
                    .replace(
                        "      manifests: tiny",
                        "      manifests: tiny\n      chart: charts/tiny")))
        .containsExactly(
            FILE
                + ":7:7: components[0].deploy has both manifests and chart: give exactly one, manifests: <directory under templates/> or chart: <path>");
  }

  @Test
  void rejectsNeitherManifestsNorChart() {
    assertThat(errors(minimal().replace("      manifests: tiny", "      values: {a: 1}")))
        .singleElement()
        .asString()
        .contains("components[0].deploy has neither manifests nor chart");
  }

  @Test
  void rejectsValuesNextToManifests() {
    assertThat(
            errors(
                minimal()
                    .replace(
                        "      manifests: tiny", "      manifests: tiny\n      values: {a: 1}")))
        .singleElement()
        .asString()
        .contains("components[0].deploy.values applies to charts only");
  }

  @Test
  void rejectsPathsThatLeaveTheRepo() {
    String yaml =
        minimal()
            .replace("    deploy:", "    build: {dockerfile: ../../etc/Dockerfile}\n    deploy:");

    assertThat(errors(yaml))
        .singleElement()
        .asString()
        .contains("components[0].build.dockerfile \"../../etc/Dockerfile\" is not a relative path");
  }

  @Test
  void rejectsAHostPatternWithoutEnvPlaceholder() {
    assertThat(errors(minimal() + "ingress: {host: preview.example.com}\n"))
        .containsExactly(
            FILE
                + ":8:17: ingress.host \"preview.example.com\" has no {env}: each environment needs its own host, e.g. {env}.preview.example.com");
  }

  @Test
  void rejectsAHostPatternThatIsNoHostName() {
    assertThat(errors(minimal() + "ingress: {host: \"{env}.Preview_Example\"}\n"))
        .singleElement()
        .asString()
        .contains("is not a host name pattern");
  }

  @Test
  void rejectsInvalidRepos() {
    assertThat(errors(minimal().replace("acme/app", "ftp://example.com/app")))
        .singleElement()
        .asString()
        .contains(
            "components[0].repo \"ftp://example.com/app\" is not a repository: write a GitHub owner/name");
  }

  @Test
  void acceptsEveryRepoForm() {
    for (String repo :
        List.of(
            "acme/app",
            "https://github.com/acme/app.git",
            "http://git.local/acme/app",
            "ssh://git@git.example.com:2222/acme/app.git",
            "git@github.com:acme/app.git",
            "file:///srv/git/app.git")) {
      assertThat(parser.parse(FILE, minimal().replace("acme/app", repo)).errors())
          .as(repo)
          .isEmpty();
    }
  }

  @Test
  void rejectsTriggerRepoOutsideTheStack() {
    assertThat(errors(minimal() + "triggers: {repos: [acme/docs]}\n"))
        .singleElement()
        .asString()
        .contains(
            "triggers.repos[0] \"acme/docs\" is not the repo of any component: triggering repos must be among acme/app");
  }

  @Test
  void acceptsTriggerRepoSpelledAsUrl() {
    StackSpec spec =
        valid(minimal() + "triggers: {repos: [\"https://github.com/Acme/App.git\"]}\n");

    assertThat(spec.triggers().repos()).containsExactly("https://github.com/Acme/App.git");
  }

  @Test
  void rejectsAnEmptyFallbackChainAndBadBranchNames() {
    assertThat(errors(minimal() + "fallback: []\n"))
        .singleElement()
        .asString()
        .contains("fallback is empty: list at least one branch");
    assertThat(errors(minimal() + "fallback: [base, \"feature branch\"]\n"))
        .singleElement()
        .asString()
        .contains("fallback[1] \"feature branch\" is not a branch name");
  }

  @Test
  void suggestsTheOnLimitPolicyForATypo() {
    assertThat(errors(minimal() + "limits: {onLimit: queu}\n"))
        .containsExactly(
            FILE
                + ":8:19: limits.onLimit \"queu\" is not a policy: did you mean 'queue'? use queue or evictOldest");
  }

  @Test
  void rejectsOutOfRangeMaxEnvironments() {
    assertThat(errors(minimal() + "limits: {maxEnvironments: 0}\n"))
        .singleElement()
        .asString()
        .contains("limits.maxEnvironments must be a whole number from 1 to 1000, not the number 0");
  }

  @Test
  void rejectsBadQuantitiesAndResourceNames() {
    String yaml = minimal() + "resources:\n  quota: {requests.cpu: lots, \"bad name\": 1}\n";

    assertThat(errors(yaml))
        .containsExactly(
            FILE
                + ":9:25: resources.quota.requests.cpu \"lots\" is not a quantity: write a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi",
            FILE
                + ":9:31: resources.quota.bad name is not a resource name: e.g. cpu, memory, requests.cpu, limits.memory, pods");
  }

  @Test
  void rejectsBadSecretNamesAndBuildArgs() {
    String yaml =
        minimal()
                .replace(
                    "    deploy:",
                    "    build:\n      args: {1BAD: x, TOKEN: {secret: Npm_Token}}\n    deploy:")
            + "secrets: [ok, ok]\n";

    List<SpecError> errors = parser.parse(FILE, yaml).errors();

    assertThat(errors)
        .extracting(SpecError::path)
        .containsExactly(
            "components[0].build.args.1BAD",
            "components[0].build.args.TOKEN.key",
            "components[0].build.args.TOKEN.secret",
            "secrets[1]");
    assertThat(errors)
        .extracting(SpecError::message)
        .containsExactly(
            "is not a build argument name: use letters, digits and '_', not starting with a digit",
            "is required: name the key within the secret",
            "\"Npm_Token\" is not a Secret name: " + KubernetesNames.DNS_SUBDOMAIN_RULE,
            "\"ok\" repeats secrets[0]");
  }

  // --- malformed YAML -------------------------------------------------------------------------

  @Test
  void reportsTabIndentationWithItsLocation() {
    assertThat(errors("name: shop\ncomponents:\n\t- name: app\n"))
        .containsExactly(
            FILE
                + ":3:1: invalid YAML: a tab character: indent with spaces, YAML does not allow tabs");
  }

  @Test
  void reportsDuplicateKeysWithBothLocations() {
    assertThat(errors("name: shop\nname: store\n"))
        .containsExactly(
            FILE
                + ":2:1: duplicate key 'name' (first defined at line 1): each key may appear once per mapping");
  }

  @Test
  void rejectsAliasesSoAliasBombsCannotExpand() {
    String bomb =
        """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        """;

    assertThat(errors(bomb))
        .containsExactly(
            FILE
                + ":2:8: YAML aliases (*a) are not supported in env specs: write the value out in full");
  }

  @Test
  void reportsUnclosedBracketsAndQuotes() {
    assertThat(errors("name: [shop\n"))
        .singleElement()
        .asString()
        .startsWith(FILE + ":2:1: invalid YAML: expected ',' or ']'");
    assertThat(errors("name: \"shop\n"))
        .singleElement()
        .asString()
        .startsWith(FILE + ":2:1: invalid YAML: found unexpected end of stream");
  }

  @Test
  void rejectsDeepNesting() {
    String deep = "values: " + "[".repeat(200) + "]".repeat(200) + "\n";

    assertThat(errors(deep)).singleElement().asString().contains("nests deeper than 64 levels");
  }

  @Test
  void rejectsAnEmptyFileAndASecondDocument() {
    assertThat(errors(""))
        .containsExactly(
            FILE + ":1:1: the file is empty: a spec needs at least a name and components");
    assertThat(errors("# only a comment\n"))
        .singleElement()
        .asString()
        .contains("the file is empty");
    assertThat(errors(minimal() + "---\nname: other\n"))
        .containsExactly(
            FILE
                + ":9:1: a second YAML document starts here: an env spec file holds exactly one stack");
  }

  @Test
  void rejectsADocumentThatIsNotAMapping() {
    assertThat(errors("- shop\n"))
        .containsExactly(
            FILE + ":1:1: must be a mapping with at least name and components, not a list");
  }

  @Test
  void rejectsHugeDocuments() {
    String huge = "values: {blob: \"" + "x".repeat(YamlTreeReader.MAX_CODE_POINTS) + "\"}\n";

    assertThat(errors(huge)).singleElement().asString().contains("the file is larger than");
  }

  @Test
  void keepsHugeNumbersInValuesAsTextInsteadOfParsingThem() {
    String digits = "9".repeat(500_000);

    StackSpec spec = valid(minimal() + "values: {big: " + digits + ", small: 42}\n");

    assertThat(spec.values()).containsEntry("big", digits).containsEntry("small", 42L);
  }

  // --- helpers --------------------------------------------------------------------------------

  private static String minimal() {
    return """
        # a comment line keeps line numbers honest
        name: tiny
        components:
          - name: app
            repo: acme/app
            deploy:
              manifests: tiny
        """;
  }

  private StackSpec valid(String yaml) {
    SpecParseResult result = parser.parse(FILE, yaml);
    assertThat(result.errors()).isEmpty();
    return ((SpecParseResult.Valid) result).spec();
  }

  private List<String> errors(String yaml) {
    SpecParseResult result = parser.parse(FILE, yaml);
    assertThat(result).isInstanceOf(SpecParseResult.Invalid.class);
    return result.errors().stream().map(SpecError::toString).toList();
  }
}
