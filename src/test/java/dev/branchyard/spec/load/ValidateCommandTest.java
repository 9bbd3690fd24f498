package dev.branchyard.spec.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  private static final String VALID =
      "name: tiny\ncomponents:\n  - {name: app, repo: acme/app, deploy: {manifests: tiny}}\n";

  @TempDir Path dir;

  private final ValidateCommand command = new ValidateCommand(new SpecFiles(new SpecParser()));
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  @Test
  void exitsZeroAndCountsSpecsWhenAllAreValid() throws IOException {
    write("a.yaml", VALID);
    write("b.yml", VALID.replace("tiny", "small"));

    assertThat(run(dir.toString())).isZero();
    assertThat(lines()).containsExactly("2 specs valid");
  }

  @Test
  void printsLocatedErrorsAndASummaryAndExitsOne() throws IOException {
    write("a.yaml", VALID);
    write("b.yaml", "name: Bad\ncomponents: []\n");
    write("c.yaml", VALID);

    assertThat(run(dir.toString())).isEqualTo(1);
    assertThat(lines())
        .containsExactly(
            dir.resolve("b.yaml")
                + ":1:7: name \"Bad\" is not a DNS label: use lowercase letters,"
                + " digits and '-', at most 63 characters, starting and ending with a letter or digit",
            dir.resolve("b.yaml")
                + ":2:13: components is empty: a stack needs at least one component",
            "2 errors in 1 of 3 specs");
  }

  @Test
  void validatesTheFilesItIsGivenAndIgnoresSubdirectories() throws IOException {
    write("a.yaml", VALID);
    Files.createDirectories(dir.resolve("schema"));
    write("schema/not-a-spec.yaml", "nonsense: [");

    assertThat(run(dir.resolve("a.yaml").toString())).isZero();
    assertThat(run(dir.toString())).isZero();
    assertThat(lines()).containsExactly("1 spec valid", "1 spec valid");
  }

  @Test
  void reportsAFileThatIsNotUtf8AsASpecError() throws IOException {
    Files.write(
        dir.resolve("latin1.yaml"), "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThat(run(dir.toString())).isEqualTo(1);
    assertThat(lines())
        .containsExactly(
            dir.resolve("latin1.yaml") + ":1:1: the file is not UTF-8 text: save it as UTF-8",
            "1 error in 1 of 1 spec");
  }

  @Test
  void failsOnAMissingPathOrAnEmptyDirectory() {
    assertThat(run(dir.resolve("missing.yaml").toString())).isEqualTo(1);
    assertThat(lines().get(0)).endsWith("missing.yaml: no such file or directory");

    output.reset();
    assertThat(run(dir.toString())).isEqualTo(1);
    assertThat(lines().get(0)).startsWith("no spec files (*.yaml, *.yml) found in");
  }

  @Test
  void validatesThePublishedSpecsByDefault() {
    assertThat(command.run(List.of(), new PrintStream(output, true, StandardCharsets.UTF_8)))
        .isZero();
    assertThat(lines()).containsExactly("2 specs valid");
  }

  @Test
  void printsUsageOnHelp() {
    assertThat(run("--help")).isZero();
    assertThat(output.toString(StandardCharsets.UTF_8)).startsWith("usage: validate-specs");
  }

  private int run(String... args) {
    return command.run(List.of(args), new PrintStream(output, true, StandardCharsets.UTF_8));
  }

  private List<String> lines() {
    return output.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }
}
