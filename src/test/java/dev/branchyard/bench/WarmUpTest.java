package dev.branchyard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WarmUpTest {

  private final WarmUp withPid = new WarmUp(20, 120, Optional.of(1L));

  @Test
  void keepsWarmingUpUntilTheMinimumHasPassedEvenWhenTheJitIsQuiet() {
    assertThat(withPid.done(3, List.of(0L, 0L))).isFalse();
    assertThat(withPid.done(4, List.of(0L, 0L, 0L))).isTrue();
  }

  @Test
  void keepsWarmingUpWhileTheLastReadSliceStillCompiled() {
    assertThat(withPid.done(6, List.of(4000L, 900L, 300L, 150L, 120L))).isFalse();
    assertThat(withPid.done(7, List.of(4000L, 900L, 300L, 150L, 120L, 40L))).isTrue();
  }

  @Test
  void stopsAtTheMaximumWhetherSettledOrNot() {
    assertThat(withPid.done(24, List.of(500L))).isTrue();
    assertThat(new WarmUp(0, 12, Optional.of(1L)).maxSlices()).isEqualTo(3);
  }

  @Test
  void withoutAProcessIdWarmsUpForTheMinimumOnly() throws Exception {
    WarmUp fixed = new WarmUp(20, 120, Optional.empty());
    List<Integer> sent = new ArrayList<>();

    WarmUp.Outcome outcome = fixed.run(sent::add);

    assertThat(sent).containsExactly(0, 1, 2, 3);
    assertThat(outcome.seconds()).isEqualTo(20);
    assertThat(outcome.settled()).isFalse();
  }

  @Test
  void readsTheCompileTimeColumnOfJstat() {
    String out =
        "Compiled Failed Invalid   Time   FailedType FailedMethod\n"
            + "    8031      1       0    41.37          1 some/Class method\n";

    assertThat(WarmUp.appCompileMillis(out, 42)).isEqualTo(41_370);
  }

  @Test
  void saysWhatJstatPrintedWhenItIsNotTheExpectedTable() {
    assertThatThrownBy(() -> WarmUp.appCompileMillis("42 not found\n", 42))
        .hasMessageContaining("jstat -compiler 42")
        .hasMessageContaining("42 not found");
  }

  @Test
  void refusesAMinimumAboveTheMaximum() {
    assertThatThrownBy(() -> new WarmUp(60, 30, Optional.empty()))
        .hasMessageContaining("--warm-up-seconds")
        .hasMessageContaining("60 and 30");
  }
}
