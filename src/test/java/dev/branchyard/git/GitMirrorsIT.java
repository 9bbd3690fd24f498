package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.TestGitConfig;
import dev.branchyard.testing.TestGitConfig.TestMirror;
import io.quarkus.runtime.configuration.MemorySize;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JGitCheckout} reading from {@link GitMirrors}, against a real git server over HTTP: reuse,
 * incremental fetches, recovery from damage and crashes, concurrency, eviction.
 */
class GitMirrorsIT {

  private static final String REPO = "acme/site";

  @TempDir Path root;

  private GitHttpServer server;
  private TestRepository repo;
  private Path cache;
  private Path targets;
  private int checkouts;

  @BeforeEach
  void startServer() throws IOException {
    server = GitHttpServer.start(Files.createDirectories(root.resolve("served")));
    repo = server.createRepository(REPO);
    cache = root.resolve("mirrors");
    targets = Files.createDirectories(root.resolve("targets"));
  }

  @AfterEach
  void stopServer() {
    GitMirrors.inDirectory(cache, 1, 1, java.time.Clock.systemUTC()).close();
    server.close();
  }

  private TestGitConfig config() {
    return TestGitConfig.defaults().withGithubBaseUrl(server.baseUrl()).withMirrorDir(cache);
  }

  private JGitCheckout checkout() {
    return new JGitCheckout(config());
  }

  private Path checkOut(JGitCheckout git, String repoName, String commit)
      throws GitAccessException {
    Path target = targets.resolve("t" + checkouts++);
    git.checkout(repoName, commit, target);
    return target;
  }

  private List<Path> mirrorDirs() throws IOException {
    try (Stream<Path> entries = Files.list(cache)) {
      return entries.filter(Files::isDirectory).toList();
    }
  }

  private Path mirrorOf(String repoName) {
    return cache.resolve(GitMirrors.nameOf(server.urlOf(repoName)));
  }

  @Test
  void checksOutACommitItHoldsWithoutAskingTheServer() throws Exception {
    String commit = repo.commit("main", Map.of("Dockerfile", "FROM scratch\n"), "one");
    JGitCheckout git = checkout();

    Path first = checkOut(git, REPO, commit);
    int requests = server.requestCount(REPO);
    Path second = checkOut(git, REPO, commit);

    assertThat(server.requestCount(REPO)).isEqualTo(requests);
    assertThat(second.resolve("Dockerfile")).hasContent("FROM scratch");
    assertThat(first.resolve("Dockerfile")).hasContent("FROM scratch");
    assertThat(mirrorDirs()).containsExactly(mirrorOf(REPO));
    try (Stream<Path> left = Files.list(targets)) {
      assertThat(left).noneMatch(p -> p.getFileName().toString().endsWith(".git"));
    }
  }

  @Test
  void fetchesOnlyWhatANewCommitAdds() throws Exception {
    String big = randomText(1_000_000);
    String one = repo.commit("main", Map.of("big.txt", big, "hello.txt", "one\n"), "one");
    String two = repo.commit("main", Map.of("big.txt", big, "hello.txt", "two\n"), "two");
    JGitCheckout git = checkout();

    checkOut(git, REPO, one);
    long afterOne = sizeOf(mirrorOf(REPO));
    Path target = checkOut(git, REPO, two);
    long added = sizeOf(mirrorOf(REPO)) - afterOne;

    assertThat(afterOne).isGreaterThan(500_000);
    assertThat(added).as("bytes the second fetch added").isLessThan(20_000);
    assertThat(target.resolve("hello.txt")).hasContent("two");
    assertThat(Files.readString(target.resolve("big.txt"))).isEqualTo(big);
  }

  @Test
  void fetchesTheMirrorAfreshWhenItsPackIsDamaged() throws Exception {
    String commit = repo.commit("main", Map.of("hello.txt", "hello\n"), "one");
    checkOut(checkout(), REPO, commit);
    try (Stream<Path> files = Files.list(mirrorOf(REPO).resolve("objects/pack"))) {
      for (Path pack : files.filter(f -> f.toString().endsWith(".pack")).toList()) {
        overwriteMiddle(pack);
      }
    }
    restart();
    int requests = server.requestCount(REPO);

    Path target = checkOut(checkout(), REPO, commit);

    assertThat(target.resolve("hello.txt")).hasContent("hello");
    assertThat(server.requestCount(REPO)).isGreaterThan(requests);
  }

  @Test
  void fetchesTheMirrorAfreshWhenItIsNoRepositoryAnyMore() throws Exception {
    String commit = repo.commit("main", Map.of("hello.txt", "hello\n"), "one");
    checkOut(checkout(), REPO, commit);
    restart();
    Files.delete(mirrorOf(REPO).resolve("config"));
    Files.delete(mirrorOf(REPO).resolve("HEAD"));

    Path target = checkOut(checkout(), REPO, commit);

    assertThat(target.resolve("hello.txt")).hasContent("hello");
  }

  @Test
  void discardsWhatACrashLeftHalfDone() throws Exception {
    String one = repo.commit("main", Map.of("hello.txt", "one\n"), "one");
    String two = repo.commit("main", Map.of("hello.txt", "two\n"), "two");
    checkOut(checkout(), REPO, one);
    restart();
    // A crash while creating a mirror, and one while fetching into this one.
    Path halfCreated = cache.resolve(mirrorOf(REPO).getFileName() + ".new-crashed");
    Files.createDirectories(halfCreated.resolve("objects"));
    Files.writeString(mirrorOf(REPO).resolve("shallow.lock"), "");
    Path refLock = mirrorOf(REPO).resolve("refs/branchyard/commits/" + two + ".lock");
    Files.createDirectories(refLock.getParent());
    Files.writeString(refLock, two + "\n");

    Path target = checkOut(checkout(), REPO, two);

    assertThat(target.resolve("hello.txt")).hasContent("two");
    assertThat(halfCreated).doesNotExist();
    assertThat(refLock).doesNotExist();
    assertThat(mirrorDirs()).containsExactly(mirrorOf(REPO));
  }

  @Test
  void concurrentCheckoutsOfOneRepositoryFetchEachCommitOnce() throws Exception {
    String one = repo.commit("main", Map.of("hello.txt", "one\n"), "one");
    String two = repo.commit("main", Map.of("hello.txt", "two\n"), "two");
    // What one fetch costs in requests, measured on a repository of its own.
    TestRepository probe = server.createRepository("acme/probe");
    checkOut(checkout(), "acme/probe", probe.commit("main", Map.of("a", "a"), "a"));
    int perFetch = server.requestCount("acme/probe");
    JGitCheckout git = checkout();

    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String commit = i % 2 == 0 ? one : two;
        Path target = targets.resolve("c" + i);
        results.add(
            threads.submit(
                () -> {
                  go.await();
                  git.checkout(REPO, commit, target);
                  return target;
                }));
      }
      go.countDown();
      for (int i = 0; i < results.size(); i++) {
        Path target = results.get(i).get(1, TimeUnit.MINUTES);
        assertThat(target.resolve("hello.txt")).hasContent(i % 2 == 0 ? "one" : "two");
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(server.requestCount(REPO)).isEqualTo(2 * perFetch);
  }

  @Test
  void evictsTheLeastRecentlyUsedMirrorsBeyondTheLimit() throws Exception {
    JGitCheckout git =
        new JGitCheckout(
            config()
                .withMirror(
                    new TestMirror(
                        true,
                        Optional.of(cache),
                        2,
                        new MemorySize(BigInteger.valueOf(1L << 30)))));
    for (String name : List.of("acme/a", "acme/b", "acme/c")) {
      String commit = server.createRepository(name).commit("main", Map.of("n", name), name);
      checkOut(git, name, commit);
      Thread.sleep(20); // distinct modification times
    }

    assertThat(mirrorDirs()).containsExactlyInAnyOrder(mirrorOf("acme/b"), mirrorOf("acme/c"));
  }

  @Test
  void checksOutWithoutMirrorsWhenAnotherOwnerHoldsTheDirectory() throws Exception {
    String commit = repo.commit("main", Map.of("hello.txt", "hello\n"), "one");
    Files.createDirectories(cache);
    try (FileChannel channel =
            FileChannel.open(
                cache.resolve(GitMirrors.OWNER_LOCK),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      Path target = checkOut(checkout(), REPO, commit);

      assertThat(target.resolve("hello.txt")).hasContent("hello");
      assertThat(mirrorDirs()).isEmpty();
      assertThat(target.resolveSibling(target.getFileName() + ".git")).doesNotExist();
    }
  }

  @Test
  void checksOutWithoutMirrorsWhenTheyAreOff() throws Exception {
    String commit = repo.commit("main", Map.of("hello.txt", "hello\n"), "one");

    Path target = checkOut(new JGitCheckout(config().withoutMirrors()), REPO, commit);

    assertThat(target.resolve("hello.txt")).hasContent("hello");
    assertThat(cache).doesNotExist();
  }

  /** Plays a process started after this one ended: the directory's state is all that is left. */
  private void restart() {
    GitMirrors.inDirectory(cache, 1, 1, java.time.Clock.systemUTC()).close();
  }

  private static void overwriteMiddle(Path file) throws IOException {
    try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
      long length = data.length();
      data.seek(12);
      data.write(new byte[(int) Math.max(1, length - 40)]);
    }
  }

  private static String randomText(int bytes) {
    byte[] random = new byte[bytes];
    new Random(42).nextBytes(random);
    return new String(Base64.getEncoder().encode(random), StandardCharsets.US_ASCII);
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }
}
