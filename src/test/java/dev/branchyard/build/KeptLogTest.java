package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KeptLogTest {

  private static BoundedLog logOf(int budget, int lines) {
    BoundedLog log = new BoundedLog(budget);
    for (int i = 1; i <= lines; i++) {
      log.append("L" + i);
    }
    return log;
  }

  @Test
  void aNewReaderGetsEveryKeptLine() {
    BoundedLog log = logOf(1024, 500);

    assertThat(log.snapshot().linesAfter(0)).isEqualTo(log.lines());
  }

  @Test
  void aReaderThatSawSomeLinesGetsOnlyTheNewOnes() {
    KeptLog kept = logOf(1024, 10).snapshot();

    assertThat(kept.linesAfter(7)).containsExactly("L8", "L9", "L10");
    assertThat(kept.linesAfter(10)).isEmpty();
    assertThat(kept.linesAfter(11)).isEmpty();
  }

  @Test
  void aReaderThatSawPartOfTheHeadGetsTheRestOfItAndTheStoredMarker() {
    BoundedLog log = logOf(1024, 500);
    KeptLog kept = log.snapshot();
    List<String> lines = log.lines();

    List<String> fresh = kept.linesAfter(2);

    assertThat(fresh).isEqualTo(lines.subList(2, lines.size()));
    assertThat(fresh.get(kept.headLines() - 2)).matches("… \\d+ lines \\(.+\\) omitted …");
  }

  @Test
  void aReaderWhoseNextLinesWereDroppedGetsAMarkerCountingThem() {
    KeptLog kept = logOf(1024, 500).snapshot();
    long firstTail = kept.headLines() + kept.omittedLines() + 1;

    List<String> fresh = kept.linesAfter(kept.headLines() + 10);

    assertThat(fresh.get(0)).isEqualTo("… " + (kept.omittedLines() - 10) + " lines omitted …");
    assertThat(fresh.get(1)).isEqualTo("L" + firstTail);
    assertThat(fresh).last().isEqualTo("L500");
  }

  @Test
  void aReaderPollingAGrowingLogSeesEveryLineOnceInOrderOrAMarkerForExactlyTheGap() {
    Random random = new Random(7);
    Pattern gap = Pattern.compile("… (\\d+) lines? (?:\\(.*\\) )?omitted …");
    BoundedLog log = new BoundedLog(1024);
    long seen = 0;
    long expectedNext = 1;
    for (int written = 1; written <= 5000; written++) {
      log.append("L" + written);
      if (random.nextInt(random.nextBoolean() ? 3 : 200) != 0) {
        continue;
      }
      KeptLog kept = log.snapshot();
      for (String line : kept.linesAfter(seen)) {
        Matcher skipped = gap.matcher(line);
        if (skipped.matches()) {
          expectedNext += Long.parseLong(skipped.group(1));
        } else {
          assertThat(line).isEqualTo("L" + expectedNext);
          expectedNext++;
        }
      }
      seen = kept.totalLines();
      assertThat(expectedNext).isEqualTo(written + 1);
    }
  }

  @Test
  void givesTheLastLinesForAStatusMessage() {
    KeptLog kept = logOf(1024, 5).snapshot();

    assertThat(kept.lastLines(2)).isEqualTo("L4\nL5");
    assertThat(kept.lastLines(50)).isEqualTo("L1\nL2\nL3\nL4\nL5");
    assertThat(KeptLog.EMPTY.lastLines(3)).isEmpty();
  }

  @Test
  void splitsItsTextIntoLinesKeepingEmptyOnes() {
    assertThat(new KeptLog("a\n\nb\n", 3, 3, 0, 0).lines()).containsExactly("a", "", "b");
    assertThat(new KeptLog("\n", 1, 1, 0, 0).lines()).containsExactly("");
    assertThat(KeptLog.EMPTY.lines()).isEmpty();
    assertThat(new ArrayList<>(KeptLog.EMPTY.linesAfter(0))).isEmpty();
  }
}
