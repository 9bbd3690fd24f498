package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {

  private final CsrfTokens tokens =
      new CsrfTokens("a key of at least thirty-two bytes!".getBytes(StandardCharsets.UTF_8));

  @Test
  void acceptsTheTokenIssuedForTheSameSession() {
    String token = tokens.issue("gho_session-one");
    assertThat(tokens.verify("gho_session-one", token)).isTrue();
  }

  @Test
  void refusesATokenOfAnotherSession() {
    String token = tokens.issue("gho_session-one");
    assertThat(tokens.verify("gho_session-two", token)).isFalse();
  }

  @Test
  void refusesMissingGarbledAndForeignKeyTokens() {
    assertThat(tokens.verify("gho_session-one", null)).isFalse();
    assertThat(tokens.verify("gho_session-one", "")).isFalse();
    assertThat(tokens.verify("gho_session-one", "not base64 !!")).isFalse();
    assertThat(tokens.verify(null, tokens.issue("x"))).isFalse();
    CsrfTokens other =
        new CsrfTokens("another key of thirty-two bytes...".getBytes(StandardCharsets.UTF_8));
    assertThat(tokens.verify("gho_session-one", other.issue("gho_session-one"))).isFalse();
  }

  @Test
  void rejectsAShortKey() {
    assertThatThrownBy(() -> new CsrfTokens(new byte[16]))
        .hasMessageContaining("branchyard.web.pages.csrf-key");
  }
}
