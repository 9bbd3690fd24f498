package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds the parser thousands of mutated specs and checks that it always answers (a valid spec or
 * located errors) and never throws or hangs. Seeded, so a failure reproduces: the message carries
 * the seed, the document number and the document.
 */
class SpecParserFuzzTest {

  private static final long SEED = 20261122L;
  private static final int BATCHES = 5;
  private static final int DOCUMENTS_PER_BATCH = 1_000;

  /**
   * Guards against hangs, not a speed target: a warm batch takes about a second, the first (class
   * loading, JIT) a few; the margin keeps slow CI machines from flaking.
   */
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);

  private final SpecParser parser = new SpecParser();

  @Test
  void alwaysAnswersWithASpecOrLocatedErrorsAndNeverThrowsOrHangs() throws IOException {
    List<String> seeds =
        List.of(
            Files.readString(Path.of("env-specs/shop.yaml")),
            Files.readString(Path.of("env-specs/platform.yaml")),
            Files.readString(
                Path.of("src/test/resources/fixtures/specs/invalid/manifests-and-chart.yaml")));
    Random random = new Random(SEED);
    int[] outcomes = new int[2];

    for (int batch = 0; batch < BATCHES; batch++) {
      List<String> documents = new ArrayList<>();
      for (int i = 0; i < DOCUMENTS_PER_BATCH; i++) {
        documents.add(mutate(seeds.get(random.nextInt(seeds.size())), random));
      }
      int firstNumber = batch * DOCUMENTS_PER_BATCH;
      assertTimeoutPreemptively(
          BATCH_TIMEOUT,
          () -> {
            for (int i = 0; i < documents.size(); i++) {
              outcomes[check(firstNumber + i, documents.get(i)) ? 0 : 1]++;
            }
          },
          "batch " + batch + " took longer than " + BATCH_TIMEOUT);
    }

    // A generator that only ever breaks documents (or never does) would test half the parser.
    assertThat(outcomes[0]).as("valid mutants").isPositive();
    assertThat(outcomes[1]).as("invalid mutants").isGreaterThan(BATCHES * DOCUMENTS_PER_BATCH / 2);
  }

  /** Parses one document; true when it was valid. */
  private boolean check(int number, String document) {
    SpecParseResult result;
    try {
      result = parser.parse("fuzz.yaml", document);
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError(describe(number, document) + " threw " + e, e);
    }
    if (result == null) {
      fail(describe(number, document) + " returned null");
    }
    if (!result.isValid()) {
      assertThat(result.errors())
          .as(describe(number, document))
          .isNotEmpty()
          .allSatisfy(
              error -> {
                assertThat(error.file()).isEqualTo("fuzz.yaml");
                assertThat(error.line()).isPositive();
                assertThat(error.column()).isPositive();
                assertThat(error.message()).isNotBlank();
              });
    }
    return result.isValid();
  }

  private static String describe(int number, String document) {
    return "document " + number + " (seed " + SEED + "):\n" + document;
  }

  // --- mutations ------------------------------------------------------------------------------

  private static String mutate(String document, Random random) {
    String mutant = document;
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      mutant = mutateOnce(mutant, random);
    }
    return mutant;
  }

  private static String mutateOnce(String document, Random random) {
    if (document.isEmpty()) {
      return "x: [";
    }
    int at = random.nextInt(document.length());
    return switch (random.nextInt(12)) {
      case 0 -> flipCharacter(document, at, random);
      case 1 -> document.substring(0, at);
      case 2 -> reindentLine(document, random);
      case 3 -> insert(document, at, "\t");
      case 4 -> insert(document, at, " &anchor" + random.nextInt(3) + " ");
      case 5 -> insert(document, at, " *anchor" + random.nextInt(3));
      case 6 -> insert(document, at, deepNesting(random));
      case 7 -> duplicateLine(document, random);
      case 8 ->
          insert(
              document,
              at,
              pick(
                  random,
                  ":",
                  "- ",
                  "{",
                  "}",
                  "[",
                  "]",
                  "\"",
                  "'",
                  "#",
                  "\n---\n",
                  "? ",
                  "!!binary ",
                  "|",
                  ">",
                  "%YAML 1.2\n",
                  "\u0000",
                  "\uFEFF",
                  "\uD83D"));
      case 9 -> deleteLine(document, random);
      case 10 -> swapLines(document, random);
      default ->
          insert(
              document,
              at,
              pick(
                  random,
                  "3f78685",
                  "Web_App",
                  "{env}",
                  "1h30x",
                  "base",
                  "refs/heads/",
                  "..",
                  "9".repeat(30)));
    };
  }

  private static String flipCharacter(String document, int at, Random random) {
    char flipped = (char) (document.charAt(at) ^ (1 << random.nextInt(7)));
    return document.substring(0, at) + flipped + document.substring(at + 1);
  }

  private static String insert(String document, int at, String text) {
    return document.substring(0, at) + text + document.substring(at);
  }

  private static String deepNesting(Random random) {
    int depth = 1 + random.nextInt(300);
    return random.nextBoolean()
        ? "[".repeat(depth) + "]".repeat(depth)
        : "{a: ".repeat(depth) + "1" + "}".repeat(depth);
  }

  private static String reindentLine(String document, Random random) {
    List<String> lines = new ArrayList<>(List.of(document.split("\n", -1)));
    int line = random.nextInt(lines.size());
    lines.set(line, " ".repeat(random.nextInt(9)) + lines.get(line).stripLeading());
    return String.join("\n", lines);
  }

  private static String duplicateLine(String document, Random random) {
    List<String> lines = new ArrayList<>(List.of(document.split("\n", -1)));
    int line = random.nextInt(lines.size());
    lines.add(line, lines.get(line));
    return String.join("\n", lines);
  }

  private static String deleteLine(String document, Random random) {
    List<String> lines = new ArrayList<>(List.of(document.split("\n", -1)));
    lines.remove(random.nextInt(lines.size()));
    return String.join("\n", lines);
  }

  private static String swapLines(String document, Random random) {
    List<String> lines = new ArrayList<>(List.of(document.split("\n", -1)));
    int a = random.nextInt(lines.size());
    int b = random.nextInt(lines.size());
    String line = lines.get(a);
    lines.set(a, lines.get(b));
    lines.set(b, line);
    return String.join("\n", lines);
  }

  private static String pick(Random random, String... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
