package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.spec.BuildArgValue;
import dev.branchyard.spec.BuildArgValue.FromSecret;
import dev.branchyard.spec.BuildArgValue.Literal;
import dev.branchyard.spec.BuildSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageNamerTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final BuildSpec DEFAULT_BUILD = new BuildSpec("Dockerfile", ".", Map.of());

  private final ImageNamer namer = new ImageNamer("registry.example.com:5000", "branchyard/");

  @Test
  void namesGithubRepoAsLowerCaseOwnerAndNameUnderThePrefix() {
    ImageRef image = namer.name("Acme/API-Server", SHA, DEFAULT_BUILD);

    assertThat(image.registry()).isEqualTo("registry.example.com:5000");
    assertThat(image.repository()).isEqualTo("branchyard/acme/api-server");
    assertThat(image.tag()).startsWith(SHA + "-").hasSize(40 + 1 + 12);
    assertThat(image.reference())
        .isEqualTo("registry.example.com:5000/branchyard/acme/api-server:" + image.tag());
  }

  @Test
  void namesTheSameRepoAlikeWhateverFormTheSpecUses() {
    String shortForm = namer.name("acme/api", SHA, DEFAULT_BUILD).repository();

    assertThat(namer.name("https://github.com/Acme/api.git", SHA, DEFAULT_BUILD).repository())
        .isEqualTo(shortForm);
    assertThat(namer.name("git@github.com:acme/API.git", SHA, DEFAULT_BUILD).repository())
        .isEqualTo(shortForm);
  }

  @Test
  void usesTheWholePathOfNonGithubUrls() {
    assertThat(
            namer
                .name("https://gitlab.example.com/Group/Sub/my_proj.git", SHA, DEFAULT_BUILD)
                .repository())
        .isEqualTo("branchyard/group/sub/my_proj");
  }

  @Test
  void usesTheLastTwoDirectoriesOfFileUrls() {
    assertThat(namer.name("file:///tmp/x/y/acme/api.git", SHA, DEFAULT_BUILD).repository())
        .isEqualTo("branchyard/acme/api");
  }

  @Test
  void turnsCharactersRegistriesRejectIntoValidSeparators() {
    assertThat(ImageNamer.repoPath("acme/.My..Weird__Repo-")).isEqualTo("acme/my-weird-repo");
    assertThat(ImageNamer.repoPath("https://git.example.com/a+b/c--d.git")).isEqualTo("a-b/c-d");
  }

  @Test
  void everyRepositoryPathMatchesTheDistributionNameGrammar() {
    String grammar = "[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*";
    for (String repo :
        new String[] {
          "acme/api",
          "A-1/b.c_d",
          "acme/__x__",
          "https://host.example/~user/Project%20One.git",
          "git@host.example:team/app.v2.git",
        }) {
      assertThat(namer.name(repo, SHA, DEFAULT_BUILD).repository()).as(repo).matches(grammar);
    }
  }

  @Test
  void leavesThePrefixOutWhenNoneIsConfigured() {
    assertThat(
            new ImageNamer("localhost:5000", "").name("acme/api", SHA, DEFAULT_BUILD).reference())
        .startsWith("localhost:5000/acme/api:");
  }

  @Test
  void rejectsAPrefixThatIsNotAValidPath() {
    assertThatThrownBy(() -> new ImageNamer("localhost:5000", "Branch Yard"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Branch Yard");
  }

  @Test
  void rejectsShortOrNonHexCommitShas() {
    assertThatThrownBy(() -> namer.name("acme/api", "0123456", DEFAULT_BUILD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("full commit SHA");
  }

  @Test
  void rejectsInvalidRepoReferences() {
    assertThatThrownBy(() -> namer.name("not a repo", SHA, DEFAULT_BUILD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a repo");
  }

  @Test
  void givesTheSameTagForTheSameInputs() {
    BuildSpec build = new BuildSpec("docker/Dockerfile", "app", Map.of("A", new Literal("1")));

    assertThat(namer.name("acme/api", SHA, build))
        .isEqualTo(
            namer.name(
                "acme/api",
                SHA,
                new BuildSpec("docker/Dockerfile", "app", Map.of("A", new Literal("1")))));
  }

  @Test
  void givesADifferentTagForADifferentDockerfileContextOrArgs() {
    String base = tag(new BuildSpec("Dockerfile", ".", Map.of("A", new Literal("1"))));

    assertThat(tag(new BuildSpec("Dockerfile.dev", ".", Map.of("A", new Literal("1")))))
        .isNotEqualTo(base);
    assertThat(tag(new BuildSpec("Dockerfile", "app", Map.of("A", new Literal("1")))))
        .isNotEqualTo(base);
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("A", new Literal("2")))))
        .isNotEqualTo(base);
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("B", new Literal("1")))))
        .isNotEqualTo(base);
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of()))).isNotEqualTo(base);
  }

  @Test
  void givesADifferentTagForADifferentCommit() {
    String other = "f".repeat(40);

    assertThat(namer.name("acme/api", other, DEFAULT_BUILD).tag())
        .isNotEqualTo(namer.name("acme/api", SHA, DEFAULT_BUILD).tag())
        .startsWith(other);
  }

  @Test
  void doesNotDependOnTheOrderOfBuildArgs() {
    Map<String, BuildArgValue> forward = new LinkedHashMap<>();
    forward.put("A", new Literal("1"));
    forward.put("B", new FromSecret("npm", "token"));
    forward.put("C", new Literal("3"));
    Map<String, BuildArgValue> backward = new LinkedHashMap<>();
    backward.put("C", new Literal("3"));
    backward.put("B", new FromSecret("npm", "token"));
    backward.put("A", new Literal("1"));

    assertThat(tag(new BuildSpec("Dockerfile", ".", forward)))
        .isEqualTo(tag(new BuildSpec("Dockerfile", ".", backward)));
  }

  @Test
  void hashesSecretArgsByReferenceNotByValue() {
    String secret = tag(new BuildSpec("Dockerfile", ".", Map.of("T", new FromSecret("npm", "t"))));

    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("T", new FromSecret("npm", "t")))))
        .isEqualTo(secret);
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("T", new FromSecret("npm2", "t")))))
        .isNotEqualTo(secret);
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("T", new FromSecret("npm", "t2")))))
        .isNotEqualTo(secret);
    // A literal that spells the reference is a different setting.
    assertThat(tag(new BuildSpec("Dockerfile", ".", Map.of("T", new Literal("npm")))))
        .isNotEqualTo(secret);
  }

  @Test
  void cannotBeFooledByMovingTextBetweenFields() {
    assertThat(tag(new BuildSpec("a", "bc", Map.of())))
        .isNotEqualTo(tag(new BuildSpec("ab", "c", Map.of())));
    assertThat(tag(new BuildSpec("D", ".", Map.of("A", new Literal("B=C")))))
        .isNotEqualTo(tag(new BuildSpec("D", ".", Map.of("A=B", new Literal("C")))));
  }

  @Test
  void tagsAreValidOciTagsOfAtMost128Characters() {
    String sha256Commit = "a".repeat(64);
    for (String sha : new String[] {SHA, sha256Commit, SHA.toUpperCase()}) {
      String tag = namer.name("acme/api", sha, DEFAULT_BUILD).tag();
      assertThat(tag).hasSizeLessThanOrEqualTo(128).matches(ImageNamer.TAG);
    }
  }

  @Test
  void settingsHashIsTwelveLowerCaseHexDigits() {
    assertThat(ImageNamer.settingsHash(DEFAULT_BUILD)).matches("[0-9a-f]{12}");
  }

  private String tag(BuildSpec build) {
    return namer.name("acme/api", SHA, build).tag();
  }
}
