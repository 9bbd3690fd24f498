package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.testing.TestGitConfig;
import org.junit.jupiter.api.Test;

class RepoLocatorTest {

  private final RepoLocator locator =
      new RepoLocator(
          TestGitConfig.defaults()
              .withGithubBaseUrl("https://git.example.com/")
              .withToken("git.example.com", "t1")
              .withToken("git.example.com:8443", "t2"));

  @Test
  void turnsGithubOwnerAndNameIntoAnHttpsUrlUnderTheConfiguredBase() {
    assertThat(locator.urlOf("acme/api")).isEqualTo("https://git.example.com/acme/api.git");
    assertThat(locator.urlOf("acme/api.git")).isEqualTo("https://git.example.com/acme/api.git");
  }

  @Test
  void usesFullGitUrlsAsTheyAre() {
    assertThat(locator.urlOf("https://gitlab.com/group/sub/app.git"))
        .isEqualTo("https://gitlab.com/group/sub/app.git");
    assertThat(locator.urlOf("git@github.com:acme/api.git"))
        .isEqualTo("git@github.com:acme/api.git");
    assertThat(locator.urlOf("/srv/git/api.git")).isEqualTo("/srv/git/api.git");
  }

  @Test
  void prefersCredentialsOfHostAndPortOverThoseOfTheHost() {
    assertThat(locator.credentialsOf("https://git.example.com:8443/a/b.git"))
        .hasValueSatisfying(c -> assertThat(c.token()).contains("t2"));
    assertThat(locator.credentialsOf("https://git.example.com/a/b.git"))
        .hasValueSatisfying(c -> assertThat(c.token()).contains("t1"));
    assertThat(locator.credentialsOf("https://other.example.com/a/b.git")).isEmpty();
  }

  @Test
  void namesTheCredentialsKeyUsersShouldConfigure() {
    assertThat(locator.hostKeyOf("https://git.example.com/a/b.git")).contains("git.example.com");
    assertThat(locator.hostKeyOf("http://127.0.0.1:8080/a/b.git")).contains("127.0.0.1:8080");
    assertThat(locator.hostKeyOf("git@github.com:acme/api.git")).isEmpty();
  }
}
