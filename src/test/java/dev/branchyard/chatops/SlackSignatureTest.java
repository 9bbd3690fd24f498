package dev.branchyard.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.chatops.SlackSignature.Result;
import dev.branchyard.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SlackSignatureTest {

  // The worked example of Slack's "Verifying requests from Slack": a slash command's form body.
  private static final String DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  private static final String DOC_TIMESTAMP = "1531420618";
  private static final byte[] DOC_BODY =
      ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
              + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
              + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
              + "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
              + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
          .getBytes(StandardCharsets.UTF_8);
  private static final String DOC_SIGNATURE =
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

  private static final Instant SENT = Instant.ofEpochSecond(Long.parseLong(DOC_TIMESTAMP));

  private final MutableClock clock = new MutableClock(SENT.plusSeconds(30));
  private final SlackSignature slack = new SlackSignature(DOC_SECRET, Duration.ofMinutes(5), clock);

  @Test
  void acceptsSlacksDocumentedExample() {
    assertThat(verify(DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY)).isEqualTo(new Result.Valid(SENT));
    assertThat(SlackSignature.sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).isEqualTo(DOC_SIGNATURE);
  }

  @Test
  void signsLikeAPlainHmacOverTheBaseString() throws Exception {
    // Computed independently of SlackSignature, from the documented recipe.
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("another secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected =
        "v0="
            + HexFormat.of()
                .formatHex(
                    mac.doFinal("v0:1700000000:text=status".getBytes(StandardCharsets.UTF_8)));

    assertThat(
            SlackSignature.sign(
                "another secret", "1700000000", "text=status".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }

  @Test
  void rejectsSlackRequestOlderThanReplayWindow() {
    clock.advance(Duration.ofMinutes(5));

    assertThat(verify(DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY))
        .isEqualTo(new Result.Stale(SENT, Duration.ofSeconds(330)));
  }

  @Test
  void acceptsRequestAtTheEdgeOfTheReplayWindow() {
    MutableClock edge = new MutableClock(SENT.plus(Duration.ofMinutes(5)));
    SlackSignature atEdge = new SlackSignature(DOC_SECRET, Duration.ofMinutes(5), edge);

    assertThat(atEdge.verify(Optional.of(DOC_TIMESTAMP), Optional.of(DOC_SIGNATURE), DOC_BODY))
        .isEqualTo(new Result.Valid(SENT));
  }

  @Test
  void rejectsRequestStampedTooFarInTheFuture() {
    MutableClock behind = new MutableClock(SENT.minus(Duration.ofMinutes(6)));
    SlackSignature judge = new SlackSignature(DOC_SECRET, Duration.ofMinutes(5), behind);

    assertThat(judge.verify(Optional.of(DOC_TIMESTAMP), Optional.of(DOC_SIGNATURE), DOC_BODY))
        .isEqualTo(new Result.Stale(SENT, Duration.ofMinutes(-6)));
  }

  @Test
  void rejectsBodyChangedAfterSigning() {
    byte[] tampered =
        new String(DOC_BODY, StandardCharsets.UTF_8)
            .replace("text=", "text=destroy")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(verify(DOC_TIMESTAMP, DOC_SIGNATURE, tampered)).isEqualTo(new Result.Mismatch());
  }

  @Test
  void rejectsSignatureReplayedWithAFreshTimestamp() {
    // The timestamp is signed too: moving it into the window breaks the signature.
    String fresh = String.valueOf(SENT.plusSeconds(30).getEpochSecond());

    assertThat(verify(fresh, DOC_SIGNATURE, DOC_BODY)).isEqualTo(new Result.Mismatch());
  }

  @Test
  void rejectsSignatureMadeWithAnotherSecret() {
    String other = SlackSignature.sign("not the secret", DOC_TIMESTAMP, DOC_BODY);

    assertThat(verify(DOC_TIMESTAMP, other, DOC_BODY)).isEqualTo(new Result.Mismatch());
  }

  @Test
  void namesTheMissingHeader() {
    assertThat(slack.verify(Optional.empty(), Optional.of(DOC_SIGNATURE), DOC_BODY))
        .isEqualTo(new Result.Missing("X-Slack-Request-Timestamp"));
    assertThat(slack.verify(Optional.of(DOC_TIMESTAMP), Optional.of(""), DOC_BODY))
        .isEqualTo(new Result.Missing("X-Slack-Signature"));
  }

  @Test
  void rejectsMalformedHeaders() {
    assertThat(verify("yesterday", DOC_SIGNATURE, DOC_BODY))
        .isEqualTo(new Result.Malformed("X-Slack-Request-Timestamp must be Unix time in seconds"));
    assertThat(verify(DOC_TIMESTAMP, "v1=" + DOC_SIGNATURE.substring(3), DOC_BODY))
        .isEqualTo(new Result.Malformed("X-Slack-Signature must look like v0=<64 hex digits>"));
    assertThat(verify(DOC_TIMESTAMP, "v0=abc", DOC_BODY).isValid()).isFalse();
  }

  @Test
  void refusesABlankSecretOrAnEmptyWindow() {
    assertThatThrownBy(() -> new SlackSignature("", Duration.ofMinutes(5), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SlackSignature(DOC_SECRET, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private Result verify(String timestamp, String signature, byte[] body) {
    return slack.verify(Optional.of(timestamp), Optional.of(signature), body);
  }
}
