package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.git.JGitCheckout;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.LocalRegistry;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalBuildahBuilder} with real buildah, a real registry ({@link LocalRegistry}) and the
 * repository served over HTTP ({@link GitHttpServer}).
 */
class LocalBuildahBuilderIT {

  // As root, containers/image writes this cache whatever --root says (see scripts/registry.sh).
  private static final Path BLOB_INFO_CACHE =
      Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");
  private static final String SECRET = "s3cr3t-Zq81";

  private static boolean hadBlobInfoCache;
  private static Path scratch;
  private static Path workDir;
  private static LocalRegistry registry;
  private static GitHttpServer git;
  private static String goodCommit;
  private static String brokenCommit;
  private static String slowCommit;

  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startRegistryAndGitServer() throws IOException {
    hadBlobInfoCache = Files.exists(BLOB_INFO_CACHE);
    // Short: buildah's run-state paths under the work dir must fit socket path limits.
    scratch = Files.createTempDirectory(Path.of("/tmp"), "by-lb-");
    workDir = Files.createDirectories(scratch.resolve("w"));
    registry = LocalRegistry.start();
    git = GitHttpServer.start(Files.createDirectories(scratch.resolve("git")));
    var repo = git.createRepository("acme/site");
    goodCommit =
        repo.commit(
            "main",
            Map.of(
                "docker/Dockerfile",
                "FROM scratch\n"
                    + "ARG GREETING\n"
                    + "ARG TOKEN\n"
                    + "COPY hello.txt /hello.txt\n"
                    + "LABEL io.branchyard.test=\"site\" greeting=\"${GREETING}\"\n",
                "hello.txt",
                "hello from branchyard\n"),
            "a buildable image");
    brokenCommit =
        repo.commit(
            "broken",
            Map.of("Dockerfile", "FROM scratch\nARG TOKEN\nCOPY missing-${TOKEN} /\n"),
            "copies a file that is not there");
    String big = "0123456789abcdef".repeat(256 * 1024);
    StringBuilder slow = new StringBuilder("FROM scratch\n");
    for (int i = 0; i < 200; i++) {
      slow.append("COPY big.txt /copy-").append(i).append(".txt\n");
    }
    slowCommit =
        repo.commit(
            "slow", Map.of("Dockerfile", slow.toString(), "big.txt", big), "many big copies");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try {
      if (git != null) {
        git.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      if (!hadBlobInfoCache) {
        Files.deleteIfExists(BLOB_INFO_CACHE);
        deleteIfEmpty(BLOB_INFO_CACHE.getParent());
        deleteIfEmpty(BLOB_INFO_CACHE.getParent().getParent());
      }
      deleteTree(scratch);
    }
  }

  private static LocalBuildahBuilder builder(Duration timeout) {
    return new LocalBuildahBuilder(
        new JGitCheckout(TestGitConfig.defaults().withGithubBaseUrl(git.baseUrl())),
        TestBuildConfig.defaults().withLocalWorkDir(workDir).withTimeout(timeout),
        Clock.systemUTC());
  }

  private static BuildRequest request(String commit, String dockerfile, String tag) {
    return new BuildRequest(
        "acme/site",
        commit,
        dockerfile,
        ".",
        Map.of("GREETING", Arg.literal("hello"), "TOKEN", Arg.secret(SECRET)),
        new ImageRef(registry.address(), "branchyard/acme/site", tag));
  }

  @Test
  void buildsAndPushesTheCommitWithTheDigestTheRegistryReports() throws Exception {
    BuildRequest request = request(goodCommit, "docker/Dockerfile", goodCommit);
    LocalBuildahBuilder builder = builder(Duration.ofMinutes(5));

    BuildResult result = builder.build(request, lines::add);

    assertThat(result).as("log:\n%s", String.join("\n", lines)).isInstanceOf(Succeeded.class);
    // The pushed image leaves local storage in the background, after the result.
    assertThat(builder.awaitCleanUp(Duration.ofMinutes(1))).isTrue();
    String digest = ((Succeeded) result).digest();
    assertThat(digest).startsWith("sha256:");
    assertThat(
            new OciRegistryClient(TestBuildConfig.defaults(), Clock.systemUTC())
                .digestOf(request.target()))
        .contains(digest);
    assertThat(lines).isNotEmpty().noneMatch(line -> line.contains(SECRET));
    assertThat(localImages()).doesNotContain(request.target().reference());
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertNoBuildahProcessLeft();
  }

  @Test
  void aRebuildRightAfterAPushIsNotUndoneByTheFirstBuildsPendingCleanUp() throws Exception {
    // The first build's image removal is queued as its result comes back; the second build of
    // the same tag must not have its fresh image removed by it before its own push.
    BuildRequest request = request(goodCommit, "docker/Dockerfile", "rebuild-" + goodCommit);
    LocalBuildahBuilder builder = builder(Duration.ofMinutes(5));

    BuildResult first = builder.build(request, lines::add);
    BuildResult second = builder.build(request, lines::add);

    assertThat(first).as("log:\n%s", String.join("\n", lines)).isInstanceOf(Succeeded.class);
    assertThat(second).as("log:\n%s", String.join("\n", lines)).isInstanceOf(Succeeded.class);
    assertThat(builder.awaitCleanUp(Duration.ofMinutes(1))).isTrue();
    assertThat(localImages()).doesNotContain(request.target().reference());
    assertNoBuildahProcessLeft();
  }

  @Test
  void interruptingTheCallerCancelsTheBuildAndKillsItsProcesses() throws Exception {
    AtomicReference<BuildResult> result = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              result.set(
                  builder(Duration.ofMinutes(5))
                      .build(request(slowCommit, "Dockerfile", "cancelled"), lines::add));
              stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
    caller.start();
    // buildah prints its first STEP line once it is really building.
    await().atMost(Duration.ofSeconds(60)).until(() -> !lines.isEmpty());
    caller.interrupt();
    caller.join(Duration.ofSeconds(60).toMillis());

    assertThat(caller.isAlive()).isFalse();
    assertThat(result.get()).isInstanceOf(Failed.class);
    assertThat(((Failed) result.get()).reason()).isEqualTo(Reason.CANCELLED);
    assertThat(stillInterrupted).isTrue();
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertNoBuildahProcessLeft();
  }

  @Test
  void aBrokenDockerfileFailsWithBuildahsErrorAndTheSecretMasked() {
    BuildResult result =
        builder(Duration.ofMinutes(5))
            .build(request(brokenCommit, "Dockerfile", "broken"), lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    Failed failed = (Failed) result;
    assertThat(failed.reason()).as(failed.message()).isEqualTo(Reason.DOCKERFILE);
    // buildah names the expanded source path: the secret must come out masked.
    assertThat(failed.message()).contains("missing-***").doesNotContain(SECRET);
    assertThat(lines).anyMatch(line -> line.contains("missing-***"));
    assertThat(lines).noneMatch(line -> line.contains(SECRET));
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertNoBuildahProcessLeft();
  }

  @Test
  void aBuildPastTheTimeoutIsKilledWithAllItsProcesses() {
    BuildResult result =
        builder(Duration.ofMillis(300))
            .build(request(slowCommit, "Dockerfile", "slow"), lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    Failed failed = (Failed) result;
    assertThat(failed.reason()).as(failed.message()).isEqualTo(Reason.TIMEOUT);
    assertThat(failed.message()).contains("branchyard.build.timeout=PT0.3S");
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertNoBuildahProcessLeft();
  }

  @Test
  void anUnreachableRegistryIsAnInfrastructureFailure() {
    BuildRequest toNowhere =
        new BuildRequest(
            "acme/site",
            goodCommit,
            "docker/Dockerfile",
            ".",
            Map.of(),
            new ImageRef("127.0.0.1:9", "branchyard/acme/site", "nowhere"));

    BuildResult result = builder(Duration.ofMinutes(5)).build(toNowhere, lines::add);

    assertThat(result).isInstanceOf(Failed.class);
    assertThat(((Failed) result).reason())
        .as(((Failed) result).message())
        .isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(workDir.resolve("builds")).isEmptyDirectory();
    assertNoBuildahProcessLeft();
  }

  /** The images in the builder's local storage, listed with the builder's own flags. */
  private static String localImages() throws IOException, InterruptedException {
    BuildahCommands commands = new BuildahCommands(workDir);
    ProcessBuilder builder =
        new ProcessBuilder(
                "buildah",
                "--root",
                commands.root().toString(),
                "--runroot",
                commands.runRoot().toString(),
                "--storage-driver",
                "vfs",
                "images",
                "--noheading",
                "--format",
                "{{.Name}}:{{.Tag}}")
            .redirectErrorStream(true);
    builder.environment().putAll(commands.environment());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output;
  }

  /** Neither a child of this JVM nor an orphan re-parented elsewhere may still use the work dir. */
  private static void assertNoBuildahProcessLeft() {
    assertThat(ProcessHandle.current().descendants())
        .noneMatch(p -> p.info().command().orElse("").contains("buildah"));
    assertThat(ProcessHandle.allProcesses())
        .noneMatch(
            p ->
                p.info().arguments().stream()
                    .flatMap(Stream::of)
                    .anyMatch(arg -> arg.contains(workDir.toString())));
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // Someone else's files are there: leave the directory.
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + dir, e);
    }
  }
}
