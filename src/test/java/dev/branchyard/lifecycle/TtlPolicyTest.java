package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.lifecycle.TtlPolicy.Expiry;
import dev.branchyard.lifecycle.TtlPolicy.Extension;
import dev.branchyard.spec.Ttl;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TtlPolicyTest {

  private static final Instant CREATED = Instant.parse("2026-03-02T09:00:00Z");
  private static final Ttl TTL = new Ttl(Duration.ofHours(8), Duration.ofDays(3));

  @Test
  void expiresTheStacksDefaultTtlAfterCreationWhenNothingWasRequestedOrPushed() {
    Expiry expiry = TtlPolicy.expiresAt(CREATED, CREATED, Optional.empty(), TTL);

    assertThat(expiry.at()).isEqualTo(Instant.parse("2026-03-02T17:00:00Z"));
    assertThat(expiry.capped()).isFalse();
    assertThat(expiry.reason()).contains("8h after the last push").contains("default");
  }

  @Test
  void countsTheRequestedTtlFromTheLastPush() {
    Instant push = CREATED.plus(Duration.ofHours(5));

    Expiry expiry = TtlPolicy.expiresAt(CREATED, push, Optional.of(Duration.ofMinutes(90)), TTL);

    assertThat(expiry.at()).isEqualTo(push.plus(Duration.ofMinutes(90)));
    assertThat(expiry.reason()).contains("1h30m").contains("requested");
  }

  @Test
  void capsTheExpiryAtTheMaxFromCreationAndSaysSo() {
    Instant push = CREATED.plus(Duration.ofDays(2).plusHours(20));

    Expiry expiry = TtlPolicy.expiresAt(CREATED, push, Optional.empty(), TTL);

    assertThat(expiry.at()).isEqualTo(CREATED.plus(Duration.ofDays(3)));
    assertThat(expiry.capped()).isTrue();
    assertThat(expiry.reason()).contains("max of 3d").contains("2026-03-05T09:00:00Z");
  }

  @Test
  void countsFromCreationWhenThePushTimeIsEarlier() {
    Expiry expiry = TtlPolicy.expiresAt(CREATED, CREATED.minusSeconds(60), Optional.empty(), TTL);

    assertThat(expiry.at()).isEqualTo(CREATED.plus(Duration.ofHours(8)));
  }

  @Test
  void extendsFromTheCurrentExpiry() {
    Instant expires = CREATED.plus(Duration.ofHours(8));

    Extension result =
        TtlPolicy.extend(
            expires, Duration.ofHours(8), CREATED, CREATED.plus(Duration.ofHours(7)), TTL);

    assertThat(result).isInstanceOf(Extension.Extended.class);
    assertThat(((Extension.Extended) result).expiresAt())
        .isEqualTo(CREATED.plus(Duration.ofHours(16)));
  }

  @Test
  void extendsFromNowWhenTheExpiryHasAlreadyPassed() {
    Instant now = CREATED.plus(Duration.ofHours(9));

    Extension result =
        TtlPolicy.extend(CREATED.plus(Duration.ofHours(8)), Duration.ofHours(1), CREATED, now, TTL);

    assertThat(((Extension.Extended) result).expiresAt()).isEqualTo(now.plus(Duration.ofHours(1)));
  }

  @Test
  void allowsAnExtensionThatEndsExactlyAtTheMax() {
    Instant expires = CREATED.plus(Duration.ofDays(2));

    Extension result =
        TtlPolicy.extend(expires, Duration.ofDays(1), CREATED, CREATED.plusSeconds(1), TTL);

    assertThat(((Extension.Extended) result).expiresAt()).isEqualTo(CREATED.plus(TTL.max()));
  }

  @Test
  void refusesAnExtensionBeyondTheMaxSayingWhenTheMaxIsReachedAndWhatIsStillPossible() {
    Instant expires = CREATED.plus(Duration.ofDays(2).plusHours(20));

    Extension result =
        TtlPolicy.extend(expires, Duration.ofHours(8), CREATED, CREATED.plusSeconds(1), TTL);

    assertThat(result).isInstanceOf(Extension.Refused.class);
    Extension.Refused refused = (Extension.Refused) result;
    assertThat(refused.maxAt()).isEqualTo(Instant.parse("2026-03-05T09:00:00Z"));
    assertThat(refused.max()).isEqualTo(Duration.ofDays(3));
    assertThat(refused.stillPossible()).isEqualTo(Duration.ofHours(4));
    assertThat(refused.reason())
        .contains("cannot extend by 8h")
        .contains("at most 3d from creation")
        .contains("2026-03-05T09:00:00Z")
        .contains("at most 4h more");
  }

  @Test
  void refusesAnyExtensionOfAnEnvironmentAlreadyAtItsMax() {
    Extension result =
        TtlPolicy.extend(
            CREATED.plus(TTL.max()), Duration.ofMinutes(1), CREATED, CREATED.plusSeconds(1), TTL);

    assertThat(result).isInstanceOf(Extension.Refused.class);
    assertThat(((Extension.Refused) result).stillPossible()).isZero();
    assertThat(result.reason()).contains("already at its max");
  }

  @Test
  void rejectsAnExtensionThatIsNotPositive() {
    assertThatThrownBy(() -> TtlPolicy.extend(CREATED, Duration.ZERO, CREATED, CREATED, TTL))
        .isInstanceOf(InvalidTtlException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void warnsTheGivenTimeBeforeExpiry() {
    assertThat(TtlPolicy.warningAt(CREATED, Duration.ofMinutes(30)))
        .isEqualTo(Instant.parse("2026-03-02T08:30:00Z"));
  }

  @Test
  void parsesTtlsAsPeopleWriteThem() {
    assertThat(TtlPolicy.parse("8h")).contains(Duration.ofHours(8));
    assertThat(TtlPolicy.parse("1h30m")).contains(Duration.ofMinutes(90));
    assertThat(TtlPolicy.parse("3d")).contains(Duration.ofDays(3));
    assertThat(TtlPolicy.parse(null)).isEmpty();
    assertThat(TtlPolicy.parse(" ")).isEmpty();
  }

  @Test
  void rejectsATtlThatIsNotADurationWithTheFormatToUse() {
    assertThatThrownBy(() -> TtlPolicy.parse("8 hours"))
        .isInstanceOf(InvalidTtlException.class)
        .hasMessageContaining("'8 hours'")
        .hasMessageContaining("write it like 8h, 1h30m or 3d");
    assertThatThrownBy(() -> TtlPolicy.parse("0m"))
        .isInstanceOf(InvalidTtlException.class)
        .hasMessageContaining("zero");
  }
}
