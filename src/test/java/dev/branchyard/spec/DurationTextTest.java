package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

  @Test
  void readsUnitsLargestFirst() {
    assertThat(DurationText.parse("8h")).contains(Duration.ofHours(8));
    assertThat(DurationText.parse("1h30m")).contains(Duration.ofMinutes(90));
    assertThat(DurationText.parse("2d")).contains(Duration.ofDays(2));
    assertThat(DurationText.parse("1d2h3m4s")).contains(Duration.parse("P1DT2H3M4S"));
    assertThat(DurationText.parse("90m")).contains(Duration.ofMinutes(90));
  }

  @Test
  void rejectsOtherSpellings() {
    assertThat(DurationText.parse("")).isEmpty();
    assertThat(DurationText.parse("8")).isEmpty();
    assertThat(DurationText.parse("30m1h")).isEmpty();
    assertThat(DurationText.parse("2 days")).isEmpty();
    assertThat(DurationText.parse("PT8H")).isEmpty();
    assertThat(DurationText.parse("999999h")).isEmpty();
  }

  @Test
  void formatsAsTheShortestTextThatReadsBack() {
    assertThat(DurationText.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(DurationText.format(Duration.ofHours(26))).isEqualTo("1d2h");
    assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(DurationText.parse(DurationText.format(Duration.ofSeconds(93_784))))
        .contains(Duration.ofSeconds(93_784));
  }
}
