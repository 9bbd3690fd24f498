package dev.branchyard.build;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

  /** A line of {@code bytes} UTF-8 bytes including its newline: {@code 000042xxxx…}. */
  private static String line(int number, int bytes) {
    String prefix = String.format("%06d", number);
    return prefix + "x".repeat(bytes - 1 - prefix.length());
  }

  private static int utf8(String text) {
    return text.getBytes(UTF_8).length;
  }

  @Test
  void keepsALogOfExactlyTheBudgetWholeWithoutAMarker() {
    BoundedLog log = new BoundedLog(1024);
    List<String> lines = IntStream.range(0, 16).mapToObj(i -> line(i, 64)).toList();

    lines.forEach(log::append);

    assertThat(utf8(log.text())).isEqualTo(1024);
    assertThat(log.lines()).isEqualTo(lines);
    assertThat(log.omittedLines()).isZero();
  }

  @Test
  void oneByteOverTheBudgetDropsTheOldestTailLinesBehindAMarker() {
    BoundedLog log = new BoundedLog(1024);
    List<String> lines = IntStream.range(0, 16).mapToObj(i -> line(i, 64)).toList();
    lines.forEach(log::append);

    log.append("");

    // Head: a quarter of 1024 = 4 lines of 64. Tail: 1024 - 256 - 128 (marker reserve) = 640
    // bytes at most, so of 12 lines + the new 1-byte one, 3 lines (192 bytes) go.
    List<String> expected = new ArrayList<>(lines.subList(0, 4));
    expected.add("… 3 lines (192 B) omitted …");
    expected.addAll(lines.subList(7, 16));
    expected.add("");
    assertThat(log.lines()).isEqualTo(expected);
    assertThat(utf8(log.text())).isLessThanOrEqualTo(1024);
    assertThat(log.totalLines()).isEqualTo(17);
    assertThat(log.omittedLines()).isEqualTo(3);
    assertThat(log.omittedBytes()).isEqualTo(192);
  }

  @Test
  void keepsTheFirstAndTheMostRecentLinesOfALongLog() {
    BoundedLog log = new BoundedLog(4096);

    for (int i = 1; i <= 10_000; i++) {
      log.append("line " + i);
    }

    List<String> lines = log.lines();
    assertThat(lines.get(0)).isEqualTo("line 1");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("line 10000");
    assertThat(utf8(log.text())).isLessThanOrEqualTo(4096).isGreaterThan(4096 - 128 - 20);
    int marker = lines.indexOf(BoundedLog.omissionMarker(log.omittedLines(), log.omittedBytes()));
    assertThat(marker).isPositive();
    // Head and tail are unbroken runs, and together with the omitted lines account for all.
    for (int i = 0; i < marker; i++) {
      assertThat(lines.get(i)).isEqualTo("line " + (i + 1));
    }
    long firstTail = 10_000 - (lines.size() - marker - 1) + 1;
    for (int i = marker + 1; i < lines.size(); i++) {
      assertThat(lines.get(i)).isEqualTo("line " + (firstTail + i - marker - 1));
    }
    assertThat(marker + log.omittedLines() + (lines.size() - marker - 1)).isEqualTo(10_000);
    assertThat(log.totalLines()).isEqualTo(10_000);
  }

  @Test
  void countsUtf8BytesNotCharacters() {
    BoundedLog log = new BoundedLog(1024);
    // "€" is 3 bytes: 21 of them and the newline make 64 bytes, as "🚀" (4 bytes, 2 chars) x 15
    // plus "abc" and the newline do.
    String euros = "€".repeat(21);
    String rockets = "🚀".repeat(15) + "abc";
    for (int i = 0; i < 8; i++) {
      log.append(euros);
      log.append(rockets);
    }

    assertThat(utf8(log.text())).isEqualTo(1024);
    assertThat(log.omittedLines()).isZero();

    log.append("é");

    assertThat(log.omittedLines()).isPositive();
    assertThat(utf8(log.text())).isLessThanOrEqualTo(1024);
    assertThat(log.lines()).last().isEqualTo("é");
  }

  @Test
  void staysWithinTheBudgetWhateverMixOfLinesArrives() {
    Random random = new Random(42);
    String[] pieces = {"a", "é", "€", "🚀", " ", "\t"};
    for (int budget : new int[] {1024, 1500, 4096, 65_536}) {
      BoundedLog log = new BoundedLog(budget);
      for (int i = 0; i < 3000; i++) {
        int length = random.nextInt(10) == 0 ? random.nextInt(5000) : random.nextInt(80);
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < length; c++) {
          line.append(pieces[random.nextInt(pieces.length)]);
        }
        log.append(line.toString());
        assertThat(utf8(log.text()))
            .as("budget %d after line %d", budget, i)
            .isLessThanOrEqualTo(budget);
      }
      assertThat(log.totalLines()).isEqualTo(3000);
    }
  }

  @Test
  void cutsAnOverlongLineAtACharacterBoundaryAndSaysHowMuchWasCut() {
    BoundedLog log = new BoundedLog(1024); // lines keep at most 1024 / 8 = 128 bytes

    List<String> kept = log.append("€".repeat(200)); // 600 bytes

    String line = kept.get(0);
    assertThat(utf8(line) + 1).isLessThanOrEqualTo(128);
    String start = line.substring(0, line.indexOf(' '));
    assertThat(start).matches("€+");
    assertThat(line).endsWith(" … [" + (600 - utf8(start)) + " bytes cut]");
    assertThat(log.lines()).containsExactly(line);
  }

  @Test
  void neverCutsBetweenTheTwoHalvesOfASurrogatePair() {
    for (int offset = 0; offset < 4; offset++) {
      String line = BoundedLog.capped("x".repeat(offset) + "🚀".repeat(100), 128);

      assertThat(BoundedLog.sanitized(line)).isEqualTo(line);
      assertThat(utf8(line) + 1).isLessThanOrEqualTo(128);
      assertThat(line).contains("🚀").endsWith(" bytes cut]");
    }
  }

  @Test
  void keepsALineOfExactlyTheLineCapUncut() {
    String fits = "x".repeat(127); // 127 + newline = 128 = 1024 / 8

    assertThat(BoundedLog.capped(fits, 128)).isEqualTo(fits);
    assertThat(BoundedLog.capped(fits + "x", 128)).endsWith(" bytes cut]");
  }

  @Test
  void aHugeSingleLineStillLeavesRoomForTheNextLines() {
    BoundedLog log = new BoundedLog(1024);

    log.append("start");
    log.append("y".repeat(10_000_000));
    for (int i = 0; i < 20; i++) {
      log.append("z".repeat(10_000));
    }
    log.append("the error");

    assertThat(utf8(log.text())).isLessThanOrEqualTo(1024);
    assertThat(log.lines()).first().isEqualTo("start");
    assertThat(log.lines()).last().isEqualTo("the error");
    assertThat(log.totalLines()).isEqualTo(23);
  }

  @Test
  void splitsOutputAtEveryKindOfLineBreak() {
    assertThat(BoundedLog.splitLines("a\nb\r\nc\rd\n")).containsExactly("a", "b", "c", "d");
    assertThat(BoundedLog.splitLines("a\n\nb")).containsExactly("a", "", "b");
    assertThat(BoundedLog.splitLines("")).containsExactly("");
    assertThat(BoundedLog.splitLines("\n")).containsExactly("");
    assertThat(BoundedLog.splitLines("\r\n\r\n")).containsExactly("", "");

    BoundedLog log = new BoundedLog(1024);
    assertThat(log.append("one\ntwo")).containsExactly("one", "two");
    assertThat(log.totalLines()).isEqualTo(2);
  }

  @Test
  void replacesLoneSurrogatesWhichHaveNoUtf8Form() {
    assertThat(BoundedLog.sanitized("a\uD800b")).isEqualTo("a\uFFFDb");
    assertThat(BoundedLog.sanitized("a\uDC00")).isEqualTo("a\uFFFD");
    assertThat(BoundedLog.sanitized("\uD83D")).isEqualTo("\uFFFD");
    assertThat(BoundedLog.sanitized("ok 🚀")).isEqualTo("ok 🚀");
    assertThat(BoundedLog.utf8Length("a\uFFFDb")).isEqualTo(utf8("a\uFFFDb"));
  }

  @Test
  void theOmissionMarkerNeverOutgrowsItsReserve() {
    String longest = BoundedLog.omissionMarker(Long.MAX_VALUE, Long.MAX_VALUE);

    assertThat(utf8(longest) + 1).isLessThanOrEqualTo(BoundedLog.MARKER_RESERVE);
  }

  @Test
  void describesOmittedSizesForPeople() {
    assertThat(BoundedLog.omissionMarker(1, 812)).isEqualTo("… 1 line (812 B) omitted …");
    assertThat(BoundedLog.omissionMarker(1234, 57_344))
        .isEqualTo("… 1234 lines (56 KiB) omitted …");
    assertThat(BoundedLog.omissionMarker(7, 1_572_864)).isEqualTo("… 7 lines (1.5 MiB) omitted …");
    assertThat(BoundedLog.omissionMarker(7, -1)).isEqualTo("… 7 lines omitted …");
  }

  @Test
  void continuesAKeptLogExactlyAsIfItHadNeverStopped() {
    for (int split : new int[] {0, 1, 3, 50, 700, 2999}) {
      BoundedLog whole = new BoundedLog(2048);
      BoundedLog first = new BoundedLog(2048);
      for (int i = 0; i < split; i++) {
        whole.append("line " + i);
        first.append("line " + i);
      }
      BoundedLog resumed = BoundedLog.resume(2048, first.snapshot());
      for (int i = split; i < 3000; i++) {
        whole.append("line " + i);
        resumed.append("line " + i);
      }

      assertThat(resumed.snapshot()).as("split at %d", split).isEqualTo(whole.snapshot());
    }
  }

  @Test
  void readsAnInconsistentKeptLogLineByLineWithinTheBudget() {
    KeptLog broken = new KeptLog("a\nb\nc\n", 2, 99, 5, 10);

    BoundedLog log = BoundedLog.resume(1024, broken);
    log.append("d");

    assertThat(log.lines()).containsExactly("a", "b", "c", "d");
    assertThat(log.totalLines()).isEqualTo(4);
  }

  @Test
  void rereadsAKeptLogLargerThanALoweredBudget() {
    BoundedLog big = new BoundedLog(8192);
    for (int i = 0; i < 1000; i++) {
      big.append("line " + i);
    }

    BoundedLog smaller = BoundedLog.resume(1024, big.snapshot());

    assertThat(utf8(smaller.text())).isLessThanOrEqualTo(1024);
    assertThat(smaller.lines()).first().isEqualTo("line 0");
    assertThat(smaller.lines()).last().isEqualTo("line 999");
  }

  @Test
  void refusesABudgetTooSmallForHeadMarkerAndTail() {
    assertThatThrownBy(() -> new BoundedLog(1023))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024");
  }
}
