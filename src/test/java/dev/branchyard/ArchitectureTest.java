package dev.branchyard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.branchyard.archfixture.ImpureClassMarkedPure;
import dev.branchyard.archfixture.ReadsEnvironmentInline;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.branchyard");

  /** Pure code: the spec package, and any class or package annotated {@link Pure}. */
  private static final DescribedPredicate<JavaClass> PURE =
      DescribedPredicate.describe(
          "pure code (package spec, or annotated @Pure)",
          c ->
              c.getPackageName().equals("dev.branchyard.spec")
                  || c.getPackageName().startsWith("dev.branchyard.spec.")
                  || c.isAnnotatedWith(Pure.class)
                  || c.getPackage().isAnnotatedWith(Pure.class));

  static final ArchRule PURE_CODE_IMPORTS_NO_ADAPTER_LIBRARIES =
      noClasses()
          .that(PURE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..", "org.eclipse.jgit..", "org.kohsuke.github..", "java.net.http..")
          .allowEmptyShould(true)
          .because("pure code is unit-tested without I/O (house-style: ports and adapters)");

  static final ArchRule NO_INLINE_ENVIRONMENT_READS =
      noClasses()
          .should()
          .callMethod(System.class, "getenv", String.class)
          .orShould()
          .callMethod(System.class, "getenv")
          .because("configuration comes through @ConfigMapping, never System.getenv inline");

  @Test
  void pureCodeImportsNoAdapterLibraries() {
    PURE_CODE_IMPORTS_NO_ADAPTER_LIBRARIES.check(PRODUCTION);
  }

  @Test
  void productionCodeNeverReadsEnvironmentVariablesInline() {
    NO_INLINE_ENVIRONMENT_READS.check(PRODUCTION);
  }

  @Test
  void detectsPureClassThatImportsFabric8() {
    EvaluationResult result =
        PURE_CODE_IMPORTS_NO_ADAPTER_LIBRARIES.evaluate(
            new ClassFileImporter().importClasses(ImpureClassMarkedPure.class));

    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString()).contains("io.fabric8.kubernetes.api.model");
  }

  @Test
  void detectsInlineEnvironmentRead() {
    EvaluationResult result =
        NO_INLINE_ENVIRONMENT_READS.evaluate(
            new ClassFileImporter().importClasses(ReadsEnvironmentInline.class));

    assertThat(result.hasViolation()).isTrue();
  }
}
