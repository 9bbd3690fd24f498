package dev.branchyard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real OCI registry (Debian's docker-registry, via {@code scripts/registry.sh}) of its own, on a
 * free loopback port, plain HTTP, no auth; and buildah to push images to it. Independent of the
 * Kubernetes platform, so registry tests need neither {@link LocalPlatform} nor its start-up time.
 *
 * <p>The state directory is a fresh short directory under {@code /tmp} (the script's buildah
 * storage paths must stay short); {@link #close()} stops the registry and deletes it all.
 */
public final class LocalRegistry implements AutoCloseable {

  // As root, containers/image writes this cache whatever --root says (see scripts/registry.sh).
  private static final Path BLOB_INFO_CACHE =
      Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");

  private final Path script;
  private final Path stateDir;
  private final String address;
  private boolean running = true;

  private LocalRegistry(Path script, Path stateDir, String address) {
    this.script = script;
    this.stateDir = stateDir;
    this.address = address;
  }

  /** Starts a registry in a new state directory, on a free port. */
  public static LocalRegistry start() throws IOException {
    return start(0);
  }

  /**
   * Starts a registry in a new state directory on loopback port {@code port} (0: a free one); a
   * test can ask for a registry where a client already looks, to play a registry coming back.
   */
  public static LocalRegistry start(int port) throws IOException {
    Path script = TestSettings.fromEnvironment().projectDir().resolve("scripts/registry.sh");
    Path stateDir = Files.createTempDirectory(Path.of("/tmp"), "by-reg-");
    try {
      List<String> command =
          List.of("bash", script.toString(), "start", "--state-dir", stateDir.toString());
      ProcessBuilder builder = new ProcessBuilder(command);
      if (port != 0) {
        builder.environment().put("BRANCHYARD_REGISTRY_PORT", Integer.toString(port));
      }
      runProcess(builder, command);
      String address =
          Files.readString(stateDir.resolve("registry/address"), StandardCharsets.UTF_8).strip();
      return new LocalRegistry(script, stateDir, address);
    } catch (IOException | RuntimeException e) {
      deleteTree(stateDir);
      throw e;
    }
  }

  /** The registry as {@code host:port}, plain HTTP. */
  public String address() {
    return address;
  }

  /**
   * Builds a {@code FROM scratch} image holding one file and pushes it as {@code reference}, with
   * buildah (vfs storage and chroot isolation under the state directory, as scripts/registry.sh
   * check-buildah does). Nothing is pulled.
   *
   * @return the manifest digest the push reported
   */
  public String pushScratchImage(String reference, String fileContent) throws IOException {
    Path buildah = stateDir.resolve("buildah");
    Path context = Files.createDirectories(buildah.resolve("context"));
    Files.writeString(context.resolve("hello.txt"), fileContent);
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
    Path digestFile = buildah.resolve("digest");
    boolean hadBlobInfoCache = Files.exists(BLOB_INFO_CACHE);
    try {
      buildah(
          "bud",
          "--isolation",
          "chroot",
          "--layers=false",
          "-t",
          reference,
          "-f",
          context.resolve("Dockerfile").toString(),
          context.toString());
      buildah(
          "push",
          "--tls-verify=false",
          "--digestfile",
          digestFile.toString(),
          reference,
          "docker://" + reference);
      return Files.readString(digestFile, StandardCharsets.UTF_8).strip();
    } finally {
      if (!hadBlobInfoCache) {
        Files.deleteIfExists(BLOB_INFO_CACHE);
        deleteIfEmpty(BLOB_INFO_CACHE.getParent());
        deleteIfEmpty(BLOB_INFO_CACHE.getParent().getParent());
      }
    }
  }

  /** Stops the registry, keeping the state directory until {@link #close()}. */
  public void stop() {
    if (running) {
      running = false;
      run(List.of("bash", script.toString(), "stop", "--state-dir", stateDir.toString()));
    }
  }

  /** Stops the registry and removes its data and buildah's storage. */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      deleteTree(stateDir);
    }
  }

  private void buildah(String... args) {
    Path buildah = stateDir.resolve("buildah");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "buildah",
            "--root",
            buildah.resolve("root").toString(),
            "--runroot",
            buildah.resolve("runroot").toString(),
            "--storage-driver",
            "vfs"));
    command.addAll(List.of(args));
    try {
      Files.createDirectories(buildah.resolve("tmp"));
      Files.createDirectories(buildah.resolve("cni"));
      // Moves the network config dir: even a build without RUN otherwise locks /etc/cni.
      Path conf = buildah.resolve("containers.conf");
      Files.writeString(
          conf, "[network]\nnetwork_config_dir = \"" + buildah.resolve("cni") + "\"\n");
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("CONTAINERS_CONF", conf.toString());
      builder.environment().put("TMPDIR", buildah.resolve("tmp").toString());
      runProcess(builder, command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> command) {
    runProcess(new ProcessBuilder(command), command);
  }

  private static void runProcess(ProcessBuilder builder, List<String> command) {
    try {
      Process process = builder.redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed (exit " + exit + "):\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // Someone else's files are there: leave the directory.
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
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + dir, e);
    }
  }
}
