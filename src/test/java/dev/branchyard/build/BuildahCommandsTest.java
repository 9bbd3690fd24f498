package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.testing.TestBuildConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildahCommandsTest {

  private static final Path WORK = Path.of("/w");
  private static final ImageRef TARGET = new ImageRef("127.0.0.1:5000", "acme/api", "abc-123");
  private final BuildahCommands commands = new BuildahCommands(WORK);

  private static BuildRequest request(Map<String, Arg> args) {
    return new BuildRequest("acme/api", "a".repeat(40), "docker/Dockerfile", "app", args, TARGET);
  }

  @Test
  void budKeepsStorageUnderTheWorkDirAndPassesArgsInNameOrder() {
    assertThat(
            commands.bud(
                request(Map.of("ZED", Arg.literal("z"), "ALPHA", Arg.secret("s"))),
                Path.of("/w/builds/b-1/src")))
        .containsExactly(
            "buildah",
            "--root",
            "/w/root",
            "--runroot",
            "/w/runroot",
            "--storage-driver",
            "vfs",
            "bud",
            "--isolation",
            "chroot",
            "--layers=false",
            "-f",
            "/w/builds/b-1/src/docker/Dockerfile",
            "--build-arg",
            "ALPHA=s",
            "--build-arg",
            "ZED=z",
            "-t",
            "127.0.0.1:5000/acme/api:abc-123",
            "/w/builds/b-1/src/app");
  }

  @Test
  void pushWritesTheDigestFileAndPushesToTheSameReference() {
    assertThat(commands.push(TARGET, false, Path.of("/w/builds/b-1/digest")))
        .endsWith(
            "push",
            "--tls-verify=false",
            "--digestfile",
            "/w/builds/b-1/digest",
            "127.0.0.1:5000/acme/api:abc-123",
            "docker://127.0.0.1:5000/acme/api:abc-123");
  }

  @Test
  void rmiForcesRemovalOfTheTargetFromLocalStorage() {
    assertThat(commands.rmi(TARGET))
        .startsWith("buildah", "--root", "/w/root")
        .endsWith("rmi", "--force", "127.0.0.1:5000/acme/api:abc-123");
  }

  @Test
  void environmentPointsBuildahConfigAndTempFilesIntoTheWorkDir() {
    assertThat(commands.environment())
        .containsEntry("CONTAINERS_CONF", "/w/containers.conf")
        .containsEntry("TMPDIR", "/w/tmp");
    assertThat(commands.containersConfContent())
        .isEqualTo("[network]\nnetwork_config_dir = \"/w/cni\"\n");
  }

  @Test
  void verifiesTlsExceptForLoopbackAndInsecureRegistries() {
    var settings =
        TestBuildConfig.defaults()
            .withRegistry("registry.lan:5000", true, null, null)
            .withRegistry("plain.lan", true, null, null)
            .withRegistry("ghcr.io", false, "u", "p")
            .registries();
    assertThat(BuildahCommands.tlsVerify("localhost:5000", settings)).isFalse();
    assertThat(BuildahCommands.tlsVerify("127.0.0.1:41234", settings)).isFalse();
    assertThat(BuildahCommands.tlsVerify("[::1]:5000", settings)).isFalse();
    assertThat(BuildahCommands.tlsVerify("registry.lan:5000", settings)).isFalse();
    assertThat(BuildahCommands.tlsVerify("plain.lan:443", settings)).isFalse();
    assertThat(BuildahCommands.tlsVerify("ghcr.io", settings)).isTrue();
    assertThat(BuildahCommands.tlsVerify("registry.lan:6000", settings)).isTrue();
  }
}
