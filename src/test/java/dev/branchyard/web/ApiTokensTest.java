package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.web.ApiTokens.Minted;
import dev.branchyard.web.ApiTokens.StoredToken;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTokensTest {

  private static final Instant NOW = Instant.parse("2026-12-02T07:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void mintsRecognisableHighEntropyTokensAndStoresOnlyTheirHash() {
    Minted minted = ApiTokens.mint("ci", ApiScope.WRITE, RANDOM, NOW);

    assertThat(minted.token()).startsWith("by_").hasSize(3 + 43);
    assertThat(minted.stored().sha256())
        .hasSize(64)
        .isEqualTo(ApiTokens.sha256(minted.token()))
        .doesNotContain(minted.token().substring(3));
    assertThat(minted.stored().format()).doesNotContain(minted.token());
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      tokens.add(ApiTokens.mint("ci", ApiScope.READ, RANDOM, NOW).token());
    }
    assertThat(tokens).hasSize(100);
  }

  @Test
  void hashesWithSha256OfTheWholeToken() {
    // echo -n by_test | sha256sum
    assertThat(ApiTokens.sha256("by_test"))
        .isEqualTo("14d7abd5ca9a9fa8ec380a15785bfc7c9df6e5b667898ccc53c13e6f02237479");
  }

  @Test
  void matchesAPresentedTokenToItsStoredEntryOnly() {
    Minted ci = ApiTokens.mint("ci", ApiScope.WRITE, RANDOM, NOW);
    Minted reader = ApiTokens.mint("reader", ApiScope.READ, RANDOM, NOW);
    List<StoredToken> stored = List.of(ci.stored(), reader.stored());

    assertThat(ApiTokens.match(ci.token(), stored)).contains(ci.stored());
    assertThat(ApiTokens.match(reader.token(), stored)).contains(reader.stored());
    String tampered =
        ci.token().substring(0, ci.token().length() - 1) + (ci.token().endsWith("A") ? "B" : "A");
    assertThat(ApiTokens.match(tampered, stored)).isEmpty();
    assertThat(ApiTokens.match(ci.stored().sha256(), stored)).isEmpty();
    assertThat(ApiTokens.match(null, stored)).isEmpty();
    assertThat(ApiTokens.match("by_short", stored)).isEmpty();
  }

  @Test
  void readsBackTheStoredFormatItWrites() {
    StoredToken stored = ApiTokens.mint("deploy-bot", ApiScope.ADMIN, RANDOM, NOW).stored();

    assertThat(ApiTokens.parse("deploy-bot", stored.format())).isEqualTo(stored);
    assertThat(ApiTokens.parse("x", "scope=READ; sha256=" + "A".repeat(64)))
        .isEqualTo(new StoredToken("x", ApiScope.READ, "a".repeat(64), Optional.empty()));
  }

  @Test
  void rejectsStoredEntriesThatCannotBeUsedSayingWhy() {
    assertThatThrownBy(() -> ApiTokens.parse("ci", "scope=write;sha256=abc"))
        .hasMessageContaining("token 'ci': sha256 must be 64 hex characters");
    assertThatThrownBy(() -> ApiTokens.parse("ci", "scope=owner;sha256=" + "a".repeat(64)))
        .hasMessageContaining("unknown scope 'owner'; use one of read, write, admin");
    assertThatThrownBy(() -> ApiTokens.mint("Not A Name", ApiScope.READ, RANDOM, NOW))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("lowercase letters");
  }

  @Test
  void scopesNestReadInWriteInAdmin() {
    assertThat(ApiScope.READ.roles()).containsExactly(ApiRoles.READ);
    assertThat(ApiScope.WRITE.roles()).containsExactlyInAnyOrder(ApiRoles.READ, ApiRoles.WRITE);
    assertThat(ApiScope.ADMIN.roles())
        .containsExactlyInAnyOrder(ApiRoles.READ, ApiRoles.WRITE, ApiRoles.ADMIN);
  }
}
