package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.github.WebhookSignature.Result;
import dev.branchyard.github.WebhookSignature.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  // GitHub's "Validating webhook deliveries" documentation gives this secret, payload and header.
  private static final String DOC_SECRET = "It's a Secret to Everybody";
  private static final byte[] DOC_PAYLOAD = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  private static final String DOC_SIGNATURE =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  private final WebhookSignature docSecretOnly = new WebhookSignature(DOC_SECRET, Optional.empty());

  @Test
  void acceptsGitHubsDocumentedTestVector() {
    assertThat(docSecretOnly.verify(Optional.of(DOC_SIGNATURE), DOC_PAYLOAD))
        .isEqualTo(new Result.Valid(Secret.CURRENT));
    assertThat(WebhookSignature.sign(DOC_SECRET, DOC_PAYLOAD)).isEqualTo(DOC_SIGNATURE);
  }

  @Test
  void acceptsUpperCaseHexDigits() {
    String upper = "sha256=" + DOC_SIGNATURE.substring("sha256=".length()).toUpperCase();

    assertThat(docSecretOnly.verify(Optional.of(upper), DOC_PAYLOAD).isValid()).isTrue();
  }

  @Test
  void acceptsSignatureMadeWithThePreviousSecretDuringRotation() {
    WebhookSignature rotating = new WebhookSignature("the new secret", Optional.of(DOC_SECRET));

    assertThat(rotating.verify(Optional.of(DOC_SIGNATURE), DOC_PAYLOAD))
        .isEqualTo(new Result.Valid(Secret.PREVIOUS));
  }

  @Test
  void prefersTheCurrentSecretWhenBothAreSet() {
    WebhookSignature rotating = new WebhookSignature(DOC_SECRET, Optional.of("the old secret"));

    assertThat(rotating.verify(Optional.of(DOC_SIGNATURE), DOC_PAYLOAD))
        .isEqualTo(new Result.Valid(Secret.CURRENT));
  }

  @Test
  void rejectsSignatureMadeWithTheOldSecretOnceRotationIsOver() {
    WebhookSignature rotated = new WebhookSignature("the new secret", Optional.empty());

    assertThat(rotated.verify(Optional.of(DOC_SIGNATURE), DOC_PAYLOAD))
        .isEqualTo(new Result.Mismatch());
  }

  @Test
  void rejectsBodyChangedAfterSigning() {
    byte[] tampered = "Hello, World?".getBytes(StandardCharsets.UTF_8);

    assertThat(docSecretOnly.verify(Optional.of(DOC_SIGNATURE), tampered))
        .isEqualTo(new Result.Mismatch());
  }

  @Test
  void rejectsSignatureWithOneDigitChanged() {
    String forged = DOC_SIGNATURE.substring(0, DOC_SIGNATURE.length() - 1) + "f";

    assertThat(docSecretOnly.verify(Optional.of(forged), DOC_PAYLOAD))
        .isEqualTo(new Result.Mismatch());
  }

  @Test
  void verifiesTheRawBytesOfARealPayload() throws IOException {
    byte[] body = Files.readAllBytes(Path.of("webhooks/pull_request.opened.json"));
    WebhookSignature signature = new WebhookSignature("s3cr3t", Optional.empty());

    assertThat(signature.verify(Optional.of(WebhookSignature.sign("s3cr3t", body)), body))
        .isEqualTo(new Result.Valid(Secret.CURRENT));
  }

  @Test
  void tellsAMissingHeaderApartFromAnEmptyOneAndFromABadOne() {
    assertThat(docSecretOnly.verify(Optional.empty(), DOC_PAYLOAD)).isEqualTo(new Result.Missing());
    assertThat(docSecretOnly.verify(Optional.of("  "), DOC_PAYLOAD))
        .isEqualTo(new Result.Missing());
    assertThat(docSecretOnly.verify(Optional.of("sha256=abc"), DOC_PAYLOAD))
        .isInstanceOf(Result.Malformed.class);
  }

  @Test
  void rejectsTheSha1HeaderFormatNamingTheAlgorithm() {
    Result result =
        docSecretOnly.verify(
            Optional.of("sha1=7d38cdd689735b008b3c702edd92eea23791c5f6"), DOC_PAYLOAD);

    assertThat(result)
        .isEqualTo(new Result.Malformed("X-Hub-Signature-256 must use sha256, not 'sha1'"));
  }

  @Test
  void rejectsHeaderWithWrongLengthOrNonHexDigits() {
    String nonHex = "sha256=" + "z".repeat(64);
    String tooLong = DOC_SIGNATURE + "00";

    assertThat(docSecretOnly.verify(Optional.of(nonHex), DOC_PAYLOAD))
        .isEqualTo(
            new Result.Malformed("X-Hub-Signature-256 must carry hex digits only after sha256="));
    assertThat(docSecretOnly.verify(Optional.of(tooLong), DOC_PAYLOAD))
        .isEqualTo(
            new Result.Malformed(
                "X-Hub-Signature-256 must carry 64 hex digits after sha256=; it has 66"));
    assertThat(docSecretOnly.verify(Optional.of(tooLong), DOC_PAYLOAD).isValid()).isFalse();
  }

  @Test
  void refusesABlankSecretRatherThanAcceptingEverySignature() {
    assertThatThrownBy(() -> new WebhookSignature(" ", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be blank");
    assertThatThrownBy(() -> new WebhookSignature("ok", Optional.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("previous");
  }
}
