package dev.branchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.branchyard.build.ImageBuild;
import dev.branchyard.lifecycle.Environment;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs under {@code k8s/crds/} are generated from the Java classes and committed so that
 * platform engineers can {@code kubectl apply} them. This test regenerates them and fails when the
 * committed files are stale; {@code make crds} (system property {@code branchyard.crds.write})
 * rewrites them instead.
 */
class CustomResourceDefinitionsTest {

  private static final Path COMMITTED = Path.of("k8s/crds");

  @Test
  void committedCrdsMatchTheJavaClasses(@TempDir Path generated) throws IOException {
    new CRDGenerator()
        .customResourceClasses(Environment.class, ImageBuild.class)
        .forCRDVersions("v1")
        .withPostProcessor(
            new CRDPostProcessor() {
              @Override
              public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                return columnsInDeclaredOrder(crd);
              }
            })
        .inOutputDir(generated.toFile())
        .generate();

    List<Path> files = list(generated);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder(
            "environments.branchyard.dev-v1.yml", "imagebuilds.branchyard.dev-v1.yml");

    if (Boolean.getBoolean("branchyard.crds.write")) {
      Files.createDirectories(COMMITTED);
      for (Path file : files) {
        Files.copy(
            file, COMMITTED.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Path file : files) {
      assertThat(COMMITTED.resolve(file.getFileName()))
          .as("k8s/crds/%s is stale: run `make crds` and commit the result", file.getFileName())
          .hasSameTextualContentAs(file);
    }
  }

  @Test
  void environmentListsPhaseAgeExpiresAndUrl() throws IOException {
    CustomResourceDefinition crd = committed("environments.branchyard.dev-v1.yml");

    assertThat(columns(crd))
        .extracting(
            CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            tuple("Phase", ".status.phase"),
            tuple("Age", ".metadata.creationTimestamp"),
            tuple("Expires", ".status.expiresAt"),
            tuple("URL", ".status.url"));
  }

  @Test
  void bothKindsAreNamespacedWithAStatusSubresource() throws IOException {
    for (String file :
        List.of("environments.branchyard.dev-v1.yml", "imagebuilds.branchyard.dev-v1.yml")) {
      CustomResourceDefinition crd = committed(file);
      assertThat(crd.getSpec().getGroup()).isEqualTo("branchyard.dev");
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getVersions())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.getName()).isEqualTo("v1alpha1");
                assertThat(v.getSubresources().getStatus()).isNotNull();
              });
    }
  }

  /**
   * The generator sorts printer columns by name; kubectl shows them in CRD order, so restore the
   * order in which the class declares them (Phase first, as people scan for it).
   */
  private static HasMetadata columnsInDeclaredOrder(HasMetadata resource) {
    var crd = (CustomResourceDefinition) resource;
    Class<?> type =
        Stream.of(Environment.class, ImageBuild.class)
            .filter(c -> HasMetadata.getKind(c).equals(crd.getSpec().getNames().getKind()))
            .findFirst()
            .orElseThrow();
    List<String> declared =
        Stream.of(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    crd.getSpec()
        .getVersions()
        .forEach(
            v ->
                v.getAdditionalPrinterColumns()
                    .sort(Comparator.comparingInt(c -> declared.indexOf(c.getName()))));
    return crd;
  }

  private static CustomResourceDefinition committed(String file) throws IOException {
    return Serialization.unmarshal(
        Files.readString(COMMITTED.resolve(file)), CustomResourceDefinition.class);
  }

  private static List<CustomResourceColumnDefinition> columns(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
