package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalPathsTest {

  @Test
  void keepsLocalPathsWithTheirQuery() {
    assertThat(LocalPaths.safe("/environments/shop-pr-12")).isEqualTo("/environments/shop-pr-12");
    assertThat(LocalPaths.safe("/environments?phase=Ready")).isEqualTo("/environments?phase=Ready");
  }

  @Test
  void neverRedirectsToAnotherSite() {
    assertThat(LocalPaths.safe("https://evil.example/")).isEqualTo("/environments");
    assertThat(LocalPaths.safe("//evil.example/")).isEqualTo("/environments");
    assertThat(LocalPaths.safe("/\\evil.example")).isEqualTo("/environments");
    assertThat(LocalPaths.safe("javascript:alert(1)")).isEqualTo("/environments");
    assertThat(LocalPaths.safe(null)).isEqualTo("/environments");
  }
}
