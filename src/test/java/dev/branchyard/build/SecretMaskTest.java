package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildRequest.Arg;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretMaskTest {

  private static SecretMask maskOf(Map<String, Arg> args) {
    return SecretMask.of(
        new BuildRequest(
            "acme/api",
            "a".repeat(40),
            "Dockerfile",
            ".",
            args,
            new ImageRef("localhost:5000", "acme/api", "t")));
  }

  @Test
  void masksEveryOccurrenceOfEverySecretValueButNotLiterals() {
    SecretMask mask =
        maskOf(
            Map.of(
                "TOKEN", Arg.secret("s3cr3t"),
                "KEY", Arg.secret("hunter2"),
                "GREETING", Arg.literal("hello")));

    assertThat(mask.apply("copier: stat: \"/missing-s3cr3t\": s3cr3t hunter2 hello"))
        .isEqualTo("copier: stat: \"/missing-***\": *** *** hello");
  }

  @Test
  void masksASecretContainingAnotherSecretWhole() {
    SecretMask mask = maskOf(Map.of("SHORT", Arg.secret("abc"), "LONG", Arg.secret("xxabcxx")));

    assertThat(mask.apply("value xxabcxx")).isEqualTo("value ***");
  }

  @Test
  void leavesLinesAloneWhenSecretsAreEmpty() {
    SecretMask mask = maskOf(Map.of("EMPTY", Arg.secret("")));

    assertThat(mask.apply("STEP 1/2: FROM scratch")).isEqualTo("STEP 1/2: FROM scratch");
  }

  @Test
  void secretArgsNeverPrintTheirValue() {
    assertThat(Arg.secret("s3cr3t")).hasToString("***");
    assertThat(Arg.literal("hello")).hasToString("hello");
  }
}
