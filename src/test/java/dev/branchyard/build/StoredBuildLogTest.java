package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredBuildLogTest {

  private static final String DNS_SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  @Test
  void readsBackWhatItStores() {
    BoundedLog log = new BoundedLog(1024);
    for (int i = 0; i < 300; i++) {
      log.append("line " + i);
    }
    StoredBuildLog stored = new StoredBuildLog(log.snapshot(), 3, true);

    StoredBuildLog read = StoredBuildLog.of(stored.annotations("api-1"), log.text());

    assertThat(read).isEqualTo(stored);
    assertThat(stored.annotations("api-1"))
        .containsEntry("build-log.branchyard.dev/complete", "true")
        .containsEntry("build-log.branchyard.dev/attempt", "3")
        .containsEntry("build-log.branchyard.dev/lines", "300")
        .containsEntry("build-log.branchyard.dev/image-build", "api-1");
  }

  @Test
  void readsALogWithoutUsableAnnotationsAsIfEveryLineWereKept() {
    StoredBuildLog read =
        StoredBuildLog.of(Map.of("build-log.branchyard.dev/lines", "many"), "a\nb\n");

    assertThat(read.log()).isEqualTo(new KeptLog("a\nb\n", 2, 2, 0, 0));
    assertThat(read.attempt()).isEqualTo(1);
    assertThat(read.complete()).isFalse();
    assertThat(StoredBuildLog.of(null, null).log()).isEqualTo(KeptLog.EMPTY);
  }

  @Test
  void namesTheConfigMapAfterTheBuild() {
    assertThat(StoredBuildLog.configMapName("acme-api-0123abcd"))
        .isEqualTo("acme-api-0123abcd-log");
    assertThat(StoredBuildLog.configMapName("a".repeat(249))).isEqualTo("a".repeat(249) + "-log");
  }

  @Test
  void shortensTooLongBuildNamesToAValidUniqueName() {
    String base = "a".repeat(240) + ".b";
    String one = StoredBuildLog.configMapName(base + "-one-long-build-name");
    String two = StoredBuildLog.configMapName(base + "-two-long-build-name");

    assertThat(one).hasSizeLessThanOrEqualTo(253).endsWith("-log").matches(DNS_SUBDOMAIN);
    assertThat(two).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
    assertThat(one).isNotEqualTo(two);
    // A cut right after a dot must not leave ".-" behind.
    String dotted = StoredBuildLog.configMapName("a".repeat(238) + "." + "b".repeat(20));
    assertThat(dotted).matches(DNS_SUBDOMAIN).startsWith("a".repeat(238) + "-");
  }
}
