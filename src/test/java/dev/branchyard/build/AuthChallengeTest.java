package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

  @Test
  void readsBearerRealmServiceAndScopeIncludingCommasInQuotes() {
    AuthChallenge challenge =
        AuthChallenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/alpine:pull,push\"")
            .orElseThrow();

    assertThat(challenge.isBearer()).isTrue();
    assertThat(challenge.params())
        .isEqualTo(
            Map.of(
                "realm", "https://auth.docker.io/token",
                "service", "registry.docker.io",
                "scope", "repository:library/alpine:pull,push"));
  }

  @Test
  void readsBasicChallengeCaseInsensitively() {
    AuthChallenge challenge = AuthChallenge.parse("BASIC Realm=\"Registry Realm\"").orElseThrow();

    assertThat(challenge.isBasic()).isTrue();
    assertThat(challenge.param("realm")).contains("Registry Realm");
  }

  @Test
  void acceptsUnquotedValuesSpacesAndEscapedQuotes() {
    AuthChallenge challenge =
        AuthChallenge.parse("Bearer  realm = https://a.example/t , service=reg, error=\"a\\\"b\"")
            .orElseThrow();

    assertThat(challenge.param("realm")).contains("https://a.example/t");
    assertThat(challenge.param("service")).contains("reg");
    assertThat(challenge.param("error")).contains("a\"b");
  }

  @Test
  void readsOnlyTheFirstOfSeveralChallenges() {
    AuthChallenge challenge =
        AuthChallenge.parse("Basic realm=\"r\", Bearer realm=\"https://t\"").orElseThrow();

    assertThat(challenge.isBasic()).isTrue();
    assertThat(challenge.params()).isEqualTo(Map.of("realm", "r"));
  }

  @Test
  void readsASchemeWithoutParameters() {
    assertThat(AuthChallenge.parse("Basic").orElseThrow().params()).isEmpty();
  }

  @Test
  void rejectsMissingEmptyOrUnterminatedChallenges() {
    assertThat(AuthChallenge.parse(null)).isEmpty();
    assertThat(AuthChallenge.parse("  ")).isEmpty();
    assertThat(AuthChallenge.parse("Bearer realm=\"https://never-closed")).isEmpty();
  }
}
