package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WritePacerTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong now = new AtomicLong(5_000 * MS);

  @Test
  void aQuietPacerLetsABurstOfOneSecondsWorthGoAtOnce() {
    WritePacer pacer = new WritePacer(4, now::get);

    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isZero();
  }

  @Test
  void beyondTheBurstEachWriteWaitsOneIntervalMoreThanTheOneBefore() {
    WritePacer pacer = new WritePacer(4, now::get);
    for (int i = 0; i < 4; i++) {
      pacer.reserve();
    }

    assertThat(pacer.reserve()).isEqualTo(250 * MS);
    assertThat(pacer.reserve()).isEqualTo(500 * MS);
    assertThat(pacer.reserve()).isEqualTo(750 * MS);
  }

  @Test
  void timePassingFreesSlotsAtTheRateButSavesUpNoMoreThanTheBurst() {
    WritePacer pacer = new WritePacer(4, now::get);
    for (int i = 0; i < 4; i++) {
      pacer.reserve();
    }
    now.addAndGet(250 * MS);
    assertThat(pacer.reserve()).isZero();
    assertThat(pacer.reserve()).isEqualTo(250 * MS);

    now.addAndGet(60_000 * MS);
    for (int i = 0; i < 4; i++) {
      assertThat(pacer.reserve()).as("write %d after a quiet minute", i).isZero();
    }
    assertThat(pacer.reserve()).isEqualTo(250 * MS);
  }

  @Test
  void aRateBelowOneIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new WritePacer(0, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-writes-per-second")
        .hasMessageContaining("at least 1");
  }
}
