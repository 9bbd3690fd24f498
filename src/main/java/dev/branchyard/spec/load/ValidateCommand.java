package dev.branchyard.spec.load;

import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Validates env specs without a cluster or a Quarkus start, for CI and editors: prints one {@code
 * file:line:column: message} line per error and a summary; exits 0 when every spec is valid, 1
 * otherwise. Run it with {@code scripts/validate-specs.sh [file|dir ...]} (default {@code
 * env-specs/}).
 */
public final class ValidateCommand {

  static final String USAGE =
      "usage: validate-specs [file.yaml|directory ...]   (default: env-specs)\n"
          + "Checks env specs and prints file:line:column: message per error; exit 0 when all are"
          + " valid.";

  private final SpecFiles files;

  public ValidateCommand(SpecFiles files) {
    this.files = files;
  }

  public static void main(String[] args) {
    System.exit(
        new ValidateCommand(new SpecFiles(new SpecParser())).run(List.of(args), System.out));
  }

  /** Validates the specs named by {@code args}; returns the process exit code. */
  public int run(List<String> args, PrintStream out) {
    if (args.contains("-h") || args.contains("--help")) {
      out.println(USAGE);
      return 0;
    }
    List<Path> paths =
        (args.isEmpty() ? List.of("env-specs") : args).stream().map(Path::of).toList();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        out.println(path + ": no such file or directory");
        out.println(USAGE);
        return 1;
      }
    }
    List<SpecParseResult> results = files.loadAll(paths);
    if (results.isEmpty()) {
      out.println(
          "no spec files (*.yaml, *.yml) found in "
              + String.join(", ", args.isEmpty() ? List.of("env-specs") : args));
      return 1;
    }
    results.forEach(result -> result.errors().forEach(out::println));
    long invalid = results.stream().filter(r -> !r.isValid()).count();
    int errors = results.stream().mapToInt(r -> r.errors().size()).sum();
    if (invalid == 0) {
      out.println(plural(results.size(), "spec") + " valid");
      return 0;
    }
    out.println(
        plural(errors, "error") + " in " + invalid + " of " + plural(results.size(), "spec"));
    return 1;
  }

  private static String plural(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
