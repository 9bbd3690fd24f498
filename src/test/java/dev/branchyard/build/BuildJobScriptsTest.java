package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.build.BuildRequest.SecretSource;
import dev.branchyard.testing.TestBuildConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Job's two container scripts, exactly as rendered, under {@code /bin/sh} on this host:
 * the fetch script against a local git repository, the build script with a recording stand-in for
 * {@code buildah}. Proves what the pod would do with the commit, the paths and the arguments, and
 * which exit code tells which failure.
 */
class BuildJobScriptsTest {

  private static final ImageRef TARGET = new ImageRef("registry.lan:5000", "acme/api", "t1");

  @TempDir Path tmp;
  private Path source;
  private Path calls;

  @BeforeEach
  void fakeBuildah() throws IOException {
    source = tmp.resolve("workspace/src");
    calls = tmp.resolve("calls");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    // Records each call's arguments one per line, then "TOKEN=<value>" as buildah would see it.
    Files.writeString(
        bin.resolve("buildah"),
        String.join(
            "\n",
            "#!/bin/sh",
            "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >> \"$CALLS\"",
            "printf 'TOKEN=%s\\n---\\n' \"${TOKEN-unset}\" >> \"$CALLS\"",
            "case \" $* \" in *' bud '*) exit \"${BUD_EXIT:-0}\";; *' push '*) exit \"${PUSH_EXIT:-0}\";; esac",
            ""),
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(
        bin.resolve("buildah"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Job job(BuildRequest request, String repoUrl) {
    return new BuildJobSpec(TestBuildConfig.defaults(), "branchyard").render(request, repoUrl);
  }

  private static BuildRequest request(String sha, Map<String, Arg> args) {
    return new BuildRequest("acme/api", sha, "docker/Dockerfile", "./app", args, TARGET);
  }

  /** Runs a container's command and args with its literal env, the source dir moved under tmp. */
  private int run(Container container, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(container.getCommand());
    if (container.getArgs() != null) {
      command.addAll(container.getArgs());
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(tmp.resolve("output").toFile());
    Map<String, String> env = builder.environment();
    for (EnvVar var : container.getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    env.put("BRANCHYARD_SOURCE", source.toString());
    env.put("PATH", tmp.resolve("bin") + ":" + env.get("PATH"));
    env.put("CALLS", calls.toString());
    env.putAll(extraEnv);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
    return process.exitValue();
  }

  private List<String> calls() throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  @Test
  void buildScriptPassesArgsVerbatimAndTakesTheSecretFromTheEnvironment() throws Exception {
    Container build =
        job(
                request(
                    "a".repeat(40),
                    Map.of(
                        "ALPHA", Arg.literal("$(touch pwned) ; a b"),
                        "TOKEN", Arg.secret("s3cr3t", new SecretSource("s", "k")))),
                "unused")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    Files.createDirectories(source);

    int exit = run(build, Map.of("TOKEN", "s3cr3t"));

    assertThat(exit).isZero();
    assertThat(calls())
        .containsExactly(
            "--storage-driver",
            "vfs",
            "bud",
            "--isolation",
            "chroot",
            "--layers=false",
            "-f",
            "docker/Dockerfile",
            "-t",
            TARGET.reference(),
            "--build-arg",
            "ALPHA=$(touch pwned) ; a b",
            "--build-arg",
            "TOKEN",
            "app",
            "TOKEN=s3cr3t",
            "---",
            "--storage-driver",
            "vfs",
            "push",
            "--tls-verify=true",
            TARGET.reference(),
            "docker://" + TARGET.reference(),
            "TOKEN=s3cr3t",
            "---");
    assertThat(source.resolve("pwned")).doesNotExist();
  }

  @Test
  void buildScriptExitsWithTheBudCodeAndDoesNotPushWhenBudFails() throws Exception {
    Container build = buildContainer();
    Files.createDirectories(source);

    int exit = run(build, Map.of("BUD_EXIT", "125"));

    assertThat(exit).isEqualTo(BuildJobSpec.EXIT_BUD_FAILED);
    assertThat(calls()).doesNotContain("push");
  }

  @Test
  void buildScriptExitsWithThePushCodeWhenPushFails() throws Exception {
    Container build = buildContainer();
    Files.createDirectories(source);

    int exit = run(build, Map.of("PUSH_EXIT", "1"));

    assertThat(exit).isEqualTo(BuildJobSpec.EXIT_PUSH_FAILED);
    assertThat(calls()).contains("bud", "push");
  }

  @Test
  void fetchScriptChecksOutExactlyTheCommitWithoutGitMetadata() throws Exception {
    Path repo = tmp.resolve("repo");
    git(tmp, "init", "-q", "-b", "main", repo.toString());
    Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    String first = git(repo, "rev-parse", "HEAD");
    Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nLABEL second=1\n");
    git(repo, "commit", "-q", "-am", "second");

    int exit = run(fetchContainer(first, "file://" + repo), Map.of());

    assertThat(exit).as(Files.readString(tmp.resolve("output"))).isZero();
    assertThat(source.resolve("Dockerfile")).hasContent("FROM scratch");
    assertThat(source.resolve(".git")).doesNotExist();
  }

  @Test
  void fetchScriptExitsWithTheFetchCodeForAnUnknownCommit() throws Exception {
    Path repo = tmp.resolve("repo");
    git(tmp, "init", "-q", "-b", "main", repo.toString());
    Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");

    int exit = run(fetchContainer("b".repeat(40), "file://" + repo), Map.of());

    assertThat(exit).isEqualTo(BuildJobSpec.EXIT_FETCH_FAILED);
    assertThat(Files.readString(tmp.resolve("output"))).contains("cannot fetch commit");
  }

  private Container buildContainer() {
    return job(request("a".repeat(40), Map.of()), "unused")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  private Container fetchContainer(String sha, String url) {
    return job(request(sha, Map.of()), url)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getInitContainers()
        .get(0);
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.strip();
  }
}
