package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.build.RegistryException.Kind;
import dev.branchyard.spec.BuildArgValue.Literal;
import dev.branchyard.spec.BuildSpec;
import dev.branchyard.testing.LocalRegistry;
import dev.branchyard.testing.TestBuildConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link OciRegistryClient} against a real registry (Debian's docker-registry, no auth) holding an
 * image pushed by buildah under the name {@link ImageNamer} gives it.
 */
@TestMethodOrder(OrderAnnotation.class)
class OciRegistryClientIT {

  private static final String SHA = "89abcdef0123456789abcdef0123456789abcdef";

  private static LocalRegistry registry;
  private static ImageRef pushed;
  private static String pushedDigest;

  @BeforeAll
  static void pushAnImage() throws IOException {
    registry = LocalRegistry.start();
    ImageNamer namer = new ImageNamer(registry.address(), "branchyard");
    pushed =
        namer.name(
            "https://github.com/Acme/Selftest.git",
            SHA,
            new BuildSpec("Dockerfile", ".", Map.of("GREETING", new Literal("hello"))));
    pushedDigest = registry.pushScratchImage(pushed.reference(), "hello from " + pushed.tag());
  }

  @AfterAll
  static void removeRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static OciRegistryClient client() {
    return new OciRegistryClient(TestBuildConfig.defaults(), Clock.systemUTC());
  }

  @Test
  @Order(1)
  void findsThePushedImageWithTheDigestThePushReported() throws RegistryException {
    assertThat(pushed.repository()).isEqualTo("branchyard/acme/selftest");
    assertThat(pushedDigest).matches("sha256:[0-9a-f]{64}");

    assertThat(client().digestOf(pushed)).contains(pushedDigest);
  }

  @Test
  @Order(2)
  void reportsAnUnknownTagAsMissing() throws RegistryException {
    ImageRef otherSettings =
        new ImageRef(pushed.registry(), pushed.repository(), SHA + "-000000000000");

    assertThat(client().digestOf(otherSettings)).isEmpty();
  }

  @Test
  @Order(3)
  void reportsAnUnknownRepositoryAsMissing() throws RegistryException {
    ImageRef unknown =
        new ImageRef(pushed.registry(), "branchyard/acme/never-pushed", pushed.tag());

    assertThat(client().digestOf(unknown)).isEmpty();
  }

  @Test
  @Order(4)
  void reportsUnreachableNotMissingOnceTheRegistryIsStopped() {
    registry.stop();

    assertThatThrownBy(() -> client().digestOf(pushed))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessageContaining(registry.address());
  }
}
