package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamingRulesTest {

  @Test
  void acceptsDnsLabelsOfUpTo63Characters() {
    assertThat(KubernetesNames.isDnsLabel("a".repeat(63))).isTrue();
    assertThat(KubernetesNames.isDnsLabel("a".repeat(64))).isFalse();
    assertThat(KubernetesNames.isDnsLabel("web-2")).isTrue();
    assertThat(KubernetesNames.isDnsLabel("-web")).isFalse();
    assertThat(KubernetesNames.isDnsLabel("web-")).isFalse();
    assertThat(KubernetesNames.isDnsLabel("Web")).isFalse();
    assertThat(KubernetesNames.isDnsLabel("web.app")).isFalse();
  }

  @Test
  void acceptsKubernetesQuantitiesAsPeopleWriteThem() {
    assertThat(KubernetesNames.isQuantity("500m")).isTrue();
    assertThat(KubernetesNames.isQuantity("1.5Gi")).isTrue();
    assertThat(KubernetesNames.isQuantity("20")).isTrue();
    assertThat(KubernetesNames.isQuantity("1e3")).isTrue();
    assertThat(KubernetesNames.isQuantity("lots")).isFalse();
    assertThat(KubernetesNames.isQuantity("1 Gi")).isFalse();
  }

  @Test
  void followsGitRulesForBranchAndTagNames() {
    assertThat(GitNames.isRefName("feature/checkout/v2")).isTrue();
    assertThat(GitNames.isRefName("release/2025.11")).isTrue();
    assertThat(GitNames.isRefName("v1..2")).isFalse();
    assertThat(GitNames.isRefName("feature//x")).isFalse();
    assertThat(GitNames.isRefName("/main")).isFalse();
    assertThat(GitNames.isRefName("main.lock")).isFalse();
    assertThat(GitNames.isRefName("has space")).isFalse();
    assertThat(GitNames.isRefName("a~1")).isFalse();
    assertThat(GitNames.isRefGlob("release/**")).isTrue();
    assertThat(GitNames.isRefGlob("release/*.x")).isTrue();
  }

  @Test
  void tellsAbbreviatedShasFromTagsThatLookLikeHex() {
    assertThat(GitNames.looksLikeShortSha("3f78685")).isTrue();
    assertThat(GitNames.looksLikeShortSha("3f786850e387550fdab836ed7e6dc881de2300")).isTrue();
    assertThat(GitNames.looksLikeShortSha("20240101")).isFalse();
    assertThat(GitNames.looksLikeShortSha("deadbeef")).isFalse();
    assertThat(GitNames.looksLikeShortSha("v1.2.3")).isFalse();
    assertThat(GitNames.isFullSha("3f786850e387550fdab836ed7e6dc881de23001b")).isTrue();
  }

  @Test
  void suggestsOnlyPlausibleTypos() {
    assertThat(ClosestName.among("requries", List.of("name", "requires"))).contains("requires");
    assertThat(ClosestName.among("Requires", List.of("requires"))).contains("requires");
    assertThat(ClosestName.among("colour", List.of("name", "components"))).isEmpty();
  }
}
