package dev.branchyard.build;

import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.git.GitAccessException;
import dev.branchyard.git.GitCheckout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@link ImageBuilder} running buildah as a child process on the Branchyard host: the {@code local}
 * backend, for development, tests and {@code make run}. It checks out the commit with JGit (through
 * {@link GitCheckout}), runs {@code buildah bud} (vfs storage, chroot isolation, so it needs no
 * daemon and no overlay support) and {@code buildah push}, then removes the image from local
 * storage again. After a successful push that removal runs in the background, so the result (the
 * image is in the registry) is not held back by local clean-up; a later build of the same image
 * waits for it, and {@link #close()} gives pending removals a few seconds. A failed or cancelled
 * build removes its image before it returns.
 *
 * <p>Everything is written under the work directory ({@code branchyard.build.local.work-dir},
 * default {@code <java.io.tmpdir>/branchyard-buildah}):
 *
 * <pre>
 * containers.conf   points buildah's network config dir at cni/ (else it locks /etc/cni)
 * cni/              that network config dir (stays empty: builds run no network setup)
 * tmp/              buildah's TMPDIR (default /var/tmp)
 * root/             buildah --root: vfs layers and images, shared by all builds
 * runroot/          buildah --runroot: locks and run state
 * builds/b-NNN/     one per build, deleted when the build ends, however it ends:
 *   src/              the commit's files, without .git: the build context
 *   src.git/          the depth-1 fetch of the commit, deleted once src/ is written
 *   digest            the manifest digest buildah push reports
 * </pre>
 *
 * <p>The one file outside: as root, buildah's image library keeps a blob-info cache in {@code
 * /var/lib/containers/cache/} whatever {@code --root} says.
 *
 * <p>{@code branchyard.build.timeout} covers {@code bud} and {@code push}; when it passes, or when
 * the calling thread is interrupted, the whole process tree is stopped (TERM, then KILL after a
 * grace period). A killed {@code bud} may leave a working container in {@code root/}; the next
 * {@code buildah rm --all} (or deleting the work directory while no build runs) removes it.
 */
public class LocalBuildahBuilder implements ImageBuilder, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalBuildahBuilder.class);

  /** How long a stopped buildah gets to clean up before it is killed. */
  static final Duration KILL_GRACE = Duration.ofSeconds(5);

  /** How long removing a pushed image from local storage may take; it only frees disk space. */
  private static final Duration RMI_TIMEOUT = Duration.ofMinutes(1);

  /** How long {@link #close()} waits for removals still pending. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final GitCheckout git;
  private final BuildConfig config;
  private final Clock clock;
  private final BuildahCommands commands;

  /** Removes pushed images from local storage, one at a time; its thread ends when idle. */
  private final ThreadPoolExecutor cleanUp =
      new ThreadPoolExecutor(
          0,
          1,
          30,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          task -> {
            Thread thread = new Thread(task, "buildah-clean-up");
            thread.setDaemon(true);
            return thread;
          });

  /** Removals not yet done, by image reference. */
  private final Map<String, Future<?>> pendingRemovals = new ConcurrentHashMap<>();

  public LocalBuildahBuilder(GitCheckout git, BuildConfig config, Clock clock) {
    this.git = git;
    this.config = config;
    this.clock = clock;
    this.commands =
        new BuildahCommands(
            config
                .local()
                .workDir()
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "branchyard-buildah")));
  }

  @Override
  public BuildResult build(BuildRequest request, BuildLog log) {
    MDC.put("build", request.target().reference());
    try {
      BuildResult result = buildLogged(request, log);
      if (result instanceof Failed failed) {
        LOG.infof("build of %s failed: %s", request.target(), failed.reason());
      } else if (result instanceof Succeeded succeeded) {
        LOG.infof(
            "built and pushed %s (%s) in %s",
            request.target(), succeeded.digest(), succeeded.took());
      }
      return result;
    } finally {
      MDC.remove("build");
    }
  }

  private BuildResult buildLogged(BuildRequest request, BuildLog log) {
    Instant start = clock.instant();
    SecretMask mask = SecretMask.of(request);
    OutputTail tail = new OutputTail();
    BuildLog masked =
        line -> {
          String safe = mask.apply(line);
          tail.add(safe);
          log.line(safe);
        };
    Path buildDir;
    try {
      buildDir = prepareWorkDir();
    } catch (IOException | UncheckedIOException e) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "cannot prepare the work directory "
              + commands.workDir()
              + ": "
              + e.getMessage()
              + "; check branchyard.build.local.work-dir",
          List.of());
    }
    try {
      return checkoutBuildAndPush(request, buildDir, masked, tail, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BuildFailures.failed(
          Reason.CANCELLED, "the build of " + request.target() + " was cancelled", tail.lines());
    } finally {
      deleteTree(buildDir);
    }
  }

  private BuildResult checkoutBuildAndPush(
      BuildRequest request, Path buildDir, BuildLog log, OutputTail tail, Instant start)
      throws InterruptedException {
    Path source = buildDir.resolve("src");
    try {
      Instant checkoutStart = clock.instant();
      git.checkout(request.repo(), request.commitSha(), source);
      log.line(
          "[branchyard] checked out "
              + request.repo()
              + " at "
              + request.commitSha()
              + " in "
              + Duration.between(checkoutStart, clock.instant()).toMillis()
              + " ms");
    } catch (GitAccessException e) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "cannot check out " + request.commitSha() + ": " + e.getMessage(),
          List.of());
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("cancelled after the checkout");
    }
    if (!source.resolve(request.dockerfile()).normalize().startsWith(source)
        || !source.resolve(request.context()).normalize().startsWith(source)) {
      return BuildFailures.failed(
          Reason.DOCKERFILE,
          "the Dockerfile and the context must lie inside the repository, not "
              + request.dockerfile()
              + " and "
              + request.context(),
          List.of());
    }
    awaitRemoval(request.target());
    Instant deadline = clock.instant().plus(config.timeout());
    Run bud;
    try {
      bud = run(commands.bud(request, source), log, deadline);
    } catch (IOException e) {
      return buildahMissing(e);
    }
    if (bud.timedOut()) {
      return timedOut(tail);
    }
    if (bud.exitCode() != 0) {
      List<String> lines = tail.lines();
      return BuildFailures.failed(
          BuildFailures.ofBud(lines),
          "buildah bud failed (exit " + bud.exitCode() + ") for " + request.target(),
          lines);
    }
    BuildResult result = null;
    try {
      result = push(request, buildDir.resolve("digest"), log, tail, deadline, start);
      return result;
    } finally {
      if (result instanceof Succeeded) {
        removeLocalImageLater(request.target());
      } else {
        removeLocalImage(request.target());
      }
    }
  }

  private BuildResult push(
      BuildRequest request,
      Path digestFile,
      BuildLog log,
      OutputTail tail,
      Instant deadline,
      Instant start)
      throws InterruptedException {
    ImageRef target = request.target();
    boolean tlsVerify = BuildahCommands.tlsVerify(target.registry(), config.registries());
    Run push;
    try {
      push = run(commands.push(target, tlsVerify, digestFile), log, deadline);
    } catch (IOException e) {
      return buildahMissing(e);
    }
    if (push.timedOut()) {
      return timedOut(tail);
    }
    if (push.exitCode() != 0) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "buildah push to " + target.registry() + " failed (exit " + push.exitCode() + ")",
          tail.lines());
    }
    try {
      String digest = Files.readString(digestFile, StandardCharsets.UTF_8).strip();
      return new Succeeded(digest, Duration.between(start, clock.instant()));
    } catch (IOException e) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "buildah push succeeded but wrote no digest file: " + e.getMessage(),
          tail.lines());
    }
  }

  private Failed timedOut(OutputTail tail) {
    return BuildFailures.failed(
        Reason.TIMEOUT,
        "the build took longer than branchyard.build.timeout=" + config.timeout(),
        tail.lines());
  }

  private static Failed buildahMissing(IOException e) {
    return BuildFailures.failed(
        Reason.INFRASTRUCTURE,
        "cannot start buildah: " + e.getMessage() + "; install buildah on the Branchyard host",
        List.of());
  }

  /**
   * Waits until the background removals queued so far are done, at most {@code timeout}.
   *
   * @return true if none is pending any more
   */
  public boolean awaitCleanUp(Duration timeout) throws InterruptedException {
    Instant giveUp = clock.instant().plus(timeout);
    for (Future<?> removal : List.copyOf(pendingRemovals.values())) {
      long millisLeft = Duration.between(clock.instant(), giveUp).toMillis();
      try {
        removal.get(Math.max(0, millisLeft), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | CancellationException e) {
        // removeLocalImage logs its own failures; nothing is pending for this one any more.
      } catch (TimeoutException e) {
        return false;
      }
    }
    return true;
  }

  /** Gives pending removals up to {@link #CLOSE_GRACE}; a leftover image only costs disk space. */
  @Override
  public void close() {
    try {
      if (!awaitCleanUp(CLOSE_GRACE)) {
        LOG.warnf(
            "%d pushed images are still in local storage %s",
            pendingRemovals.size(), commands.root());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      cleanUp.shutdownNow();
    }
  }

  private void removeLocalImageLater(ImageRef image) {
    String key = image.reference();
    FutureTask<Void> removal = new FutureTask<>(() -> removeLocalImage(image), null);
    pendingRemovals.put(key, removal);
    Runnable task =
        () -> {
          try {
            removal.run();
          } finally {
            pendingRemovals.remove(key, removal);
          }
        };
    try {
      cleanUp.execute(task);
    } catch (RejectedExecutionException closed) {
      task.run();
    }
  }

  /**
   * A removal of the same reference still queued would delete the image this build is about to
   * make, so the build waits for it (or runs it itself, if it has not started).
   */
  private void awaitRemoval(ImageRef image) throws InterruptedException {
    Future<?> pending = pendingRemovals.get(image.reference());
    if (pending == null) {
      return;
    }
    if (pending instanceof FutureTask<?> task) {
      // Runs it here if the clean-up thread has not taken it yet; FutureTask runs it only once.
      task.run();
    }
    try {
      pending.get(RMI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      pendingRemovals.remove(image.reference(), pending);
    } catch (ExecutionException | CancellationException | TimeoutException e) {
      LOG.warnf("removing the previous %s from local storage did not finish: %s", image, e);
    }
  }

  /**
   * Best effort: a leftover image costs disk space, not correctness. Runs even when the build was
   * cancelled, so the interrupt is held back until it is done.
   */
  private void removeLocalImage(ImageRef image) {
    boolean interrupted = Thread.interrupted();
    try {
      Run rmi = run(commands.rmi(image), line -> {}, clock.instant().plus(RMI_TIMEOUT));
      if (rmi.timedOut() || rmi.exitCode() != 0) {
        LOG.warnf("could not remove %s from local storage; it stays in %s", image, commands.root());
      }
    } catch (IOException | InterruptedException e) {
      LOG.warnf("could not remove %s from local storage: %s", image, e.getMessage());
      interrupted |= e instanceof InterruptedException;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Path prepareWorkDir() throws IOException {
    for (Path dir :
        List.of(commands.root(), commands.runRoot(), commands.tmp(), commands.cniDir())) {
      Files.createDirectories(dir);
    }
    Path conf = commands.containersConf();
    String content = commands.containersConfContent();
    if (!Files.exists(conf) || !Files.readString(conf, StandardCharsets.UTF_8).equals(content)) {
      Files.writeString(conf, content, StandardCharsets.UTF_8);
    }
    return Files.createTempDirectory(Files.createDirectories(commands.builds()), "b-");
  }

  /**
   * Runs one buildah command, merging stdout and stderr into {@code log} line by line, until it
   * exits or {@code deadline} passes; then its whole process tree is stopped.
   *
   * @throws IOException if the process cannot be started
   * @throws InterruptedException if the calling thread was interrupted; the tree is stopped first
   */
  private Run run(List<String> command, BuildLog log, Instant deadline)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(commands.environment());
    builder.directory(commands.workDir().toFile());
    Process process = builder.start();
    process.getOutputStream().close();
    Thread reader = new Thread(() -> pump(process, log), "buildah-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      long millisLeft = Duration.between(clock.instant(), deadline).toMillis();
      boolean exited = millisLeft > 0 && process.waitFor(millisLeft, TimeUnit.MILLISECONDS);
      if (!exited) {
        destroyTree(process);
        reader.join(KILL_GRACE.toMillis());
        return new Run(true, -1);
      }
      // The output pipe closes when the last process holding it exits; wait for its last lines.
      reader.join(KILL_GRACE.toMillis());
      return new Run(false, process.exitValue());
    } catch (InterruptedException e) {
      destroyTree(process);
      throw e;
    }
  }

  private static void pump(Process process, BuildLog log) {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        log.line(line);
      }
    } catch (IOException closed) {
      // The process was killed and the pipe closed under us: there is nothing more to read.
    }
  }

  /**
   * Stops {@code process} and everything it started: TERM to the descendants and the process, KILL
   * to whatever still lives after {@link #KILL_GRACE}. Descendants are collected first, because
   * once the parent is gone they are re-parented and no longer found through it.
   */
  static void destroyTree(Process process) {
    boolean interrupted = false;
    List<ProcessHandle> tree =
        Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
    tree.forEach(ProcessHandle::destroy);
    Instant giveUp = Instant.now().plus(KILL_GRACE);
    for (ProcessHandle handle : tree) {
      long millisLeft = Math.max(1, Duration.between(Instant.now(), giveUp).toMillis());
      try {
        handle.onExit().get(millisLeft, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException | TimeoutException stillAlive) {
        // Killed below.
      }
    }
    // Collected again: a process may have started children between the snapshot and the TERM.
    Stream.concat(process.descendants(), tree.stream())
        .filter(ProcessHandle::isAlive)
        .forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      // The build has its result already; a leftover checkout is only worth a note.
      LOG.warnf("could not delete the build directory %s: %s", dir, e.getMessage());
    }
  }

  /** How one buildah command ended. */
  private record Run(boolean timedOut, int exitCode) {}
}
