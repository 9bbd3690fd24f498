package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BranchGlobTest {

  @Test
  void singleStarMatchesWithinOnePathSegment() {
    BranchGlob release = BranchGlob.of("release/*");

    assertThat(release.matches("release/2026.11")).isTrue();
    assertThat(release.matches("release/")).isTrue();
    assertThat(release.matches("release/2026/11")).isFalse();
    assertThat(release.matches("release")).isFalse();
    assertThat(release.matches("prerelease/1")).isFalse();
  }

  @Test
  void doubleStarMatchesAcrossSegments() {
    assertThat(BranchGlob.of("release/**").matches("release/2026/11")).isTrue();
    assertThat(BranchGlob.of("**/hotfix").matches("team/a/hotfix")).isTrue();
    assertThat(BranchGlob.of("**/hotfix").matches("hotfix")).isTrue();
    assertThat(BranchGlob.of("**/hotfix").matches("team/hotfixes")).isFalse();
  }

  @Test
  void questionMarkMatchesOneCharacterButNotASlash() {
    assertThat(BranchGlob.of("v?").matches("v2")).isTrue();
    assertThat(BranchGlob.of("v?").matches("v22")).isFalse();
    assertThat(BranchGlob.of("a?b").matches("a/b")).isFalse();
  }

  @Test
  void otherCharactersMatchOnlyThemselves() {
    assertThat(BranchGlob.of("release-1.0").matches("release-1.0")).isTrue();
    assertThat(BranchGlob.of("release-1.0").matches("release-1x0")).isFalse();
    assertThat(BranchGlob.of("main").matches("Main")).isFalse();
  }
}
