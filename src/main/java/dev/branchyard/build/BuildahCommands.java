package dev.branchyard.build;

import dev.branchyard.Pure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The buildah command lines and environment of the local builder, all storage under one work
 * directory: the flags {@code scripts/registry.sh} proves to work on a Branchyard host (vfs
 * storage, chroot isolation, no layer cache).
 *
 * @param workDir the local builder's work directory (layout in {@link LocalBuildahBuilder})
 */
@Pure
record BuildahCommands(Path workDir) {

  Path root() {
    return workDir.resolve("root");
  }

  Path runRoot() {
    return workDir.resolve("runroot");
  }

  Path tmp() {
    return workDir.resolve("tmp");
  }

  Path cniDir() {
    return workDir.resolve("cni");
  }

  Path containersConf() {
    return workDir.resolve("containers.conf");
  }

  Path builds() {
    return workDir.resolve("builds");
  }

  /** Moves the network config dir: even a build without RUN otherwise locks {@code /etc/cni}. */
  String containersConfContent() {
    return "[network]\nnetwork_config_dir = \"" + cniDir() + "\"\n";
  }

  /** Keeps buildah's temp files (TMPDIR, default /var/tmp) and its config inside the work dir. */
  Map<String, String> environment() {
    return Map.of("CONTAINERS_CONF", containersConf().toString(), "TMPDIR", tmp().toString());
  }

  /**
   * {@code buildah bud} of the request's Dockerfile and context inside {@code checkout}. Build args
   * come in name order so the same request always gives the same command line.
   */
  List<String> bud(BuildRequest request, Path checkout) {
    List<String> command = buildah();
    command.addAll(List.of("bud", "--isolation", "chroot", "--layers=false"));
    command.addAll(List.of("-f", checkout.resolve(request.dockerfile()).normalize().toString()));
    new TreeMap<>(request.buildArgs())
        .forEach((name, arg) -> command.addAll(List.of("--build-arg", name + "=" + arg.value())));
    command.addAll(List.of("-t", request.target().reference()));
    command.add(checkout.resolve(request.context()).normalize().toString());
    return command;
  }

  /** {@code buildah push} of the built image, writing the manifest digest to {@code digestFile}. */
  List<String> push(ImageRef image, boolean tlsVerify, Path digestFile) {
    List<String> command = buildah();
    command.addAll(
        List.of(
            "push",
            "--tls-verify=" + tlsVerify,
            "--digestfile",
            digestFile.toString(),
            image.reference(),
            "docker://" + image.reference()));
    return command;
  }

  /** Removes the image from local storage once pushed: vfs keeps full copies of every layer. */
  List<String> rmi(ImageRef image) {
    List<String> command = buildah();
    command.addAll(List.of("rmi", "--force", image.reference()));
    return command;
  }

  private List<String> buildah() {
    return new ArrayList<>(
        List.of(
            "buildah",
            "--root",
            root().toString(),
            "--runroot",
            runRoot().toString(),
            "--storage-driver",
            "vfs"));
  }

  /**
   * Whether to verify TLS when pushing to {@code registry}: not for loopback registries and those
   * configured {@code insecure}, which speak plain HTTP (as {@link OciRegistryClient} does).
   */
  static boolean tlsVerify(String registry, Map<String, BuildConfig.Registry> settings) {
    String host =
        registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1) : registry;
    int colon = host.startsWith("[") ? -1 : host.lastIndexOf(':');
    if (colon >= 0) {
      host = host.substring(0, colon);
    }
    boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    BuildConfig.Registry entry = settings.get(registry);
    if (entry == null) {
      entry = settings.get(host);
    }
    boolean insecure = entry != null && entry.insecure();
    return !(loopback || insecure);
  }
}
