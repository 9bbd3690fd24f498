package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A build log held within a byte budget: its first part and its most recent part, with one line
 * between them saying how much was left out ({@code … 1234 lines (56 KiB) omitted …}). The head
 * shows what was built and how it started; the tail is what explains a failure.
 *
 * <p>Sizes are UTF-8 bytes of {@link #text()}, where every line ends with {@code \n}. A log that
 * fits in {@code maxBytes} is kept whole, without a marker. Beyond that, lines go to the head while
 * they fit in a quarter of the budget; later lines go to the tail, which drops its oldest lines to
 * keep head, marker and tail within {@code maxBytes}. A single line longer than an eighth of the
 * budget keeps its start and says how many bytes were cut.
 *
 * <p>Lines are counted from 1 across the whole log ({@link #totalLines()}), dropped ones included,
 * so a reader that has seen the first {@code n} lines knows which ones are new ({@link
 * KeptLog#linesAfter(long)}). Not thread-safe: callers synchronize.
 */
@Pure
final class BoundedLog {

  /** The smallest budget: room for a head, a marker and a tail of a few lines each. */
  static final int MIN_MAX_BYTES = 1024;

  /** Bytes kept free for the omission marker; no marker is longer (see the tests). */
  static final int MARKER_RESERVE = 128;

  /** Bytes kept free after a cut line's start for the {@code … [N bytes cut]} note. */
  private static final int CUT_NOTE_RESERVE = 32;

  private final int maxBytes;
  private final int headBudget;
  private final int lineCap;
  private final List<String> head = new ArrayList<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private long headBytes;
  private long tailBytes;
  private boolean headClosed;
  private long totalLines;
  private long omittedLines;
  private long omittedBytes;

  BoundedLog(int maxBytes) {
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "a build log needs at least " + MIN_MAX_BYTES + " bytes, not " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.headBudget = maxBytes / 4;
    this.lineCap = maxBytes / 8;
  }

  /**
   * Continues a log kept earlier (another attempt of the same build, possibly on another replica).
   * A kept log that does not describe itself consistently, or is larger than {@code maxBytes} (the
   * budget was lowered), is read line by line as new lines instead.
   */
  static BoundedLog resume(int maxBytes, KeptLog kept) {
    BoundedLog log = new BoundedLog(maxBytes);
    List<String> lines = kept.lines();
    boolean consistent =
        kept.headLines() >= 0
            && kept.headLines() + (kept.omittedLines() > 0 ? 1 : 0) <= lines.size()
            && kept.totalLines() >= lines.size()
            && utf8Length(kept.text()) <= maxBytes
            && lines.subList(0, Math.min(kept.headLines(), lines.size())).stream()
                    .mapToLong(BoundedLog::lineBytes)
                    .sum()
                <= log.headBudget;
    if (!consistent) {
      lines.forEach(log::append);
      log.totalLines = Math.max(log.totalLines, kept.totalLines());
      return log;
    }
    int tailStart = kept.headLines() + (kept.omittedLines() > 0 ? 1 : 0);
    for (String line : lines.subList(0, kept.headLines())) {
      log.head.add(line);
      log.headBytes += lineBytes(line);
    }
    for (String line : lines.subList(tailStart, lines.size())) {
      log.tail.addLast(line);
      log.tailBytes += lineBytes(line);
    }
    log.headClosed = !log.tail.isEmpty() || kept.omittedLines() > 0;
    log.totalLines = kept.totalLines();
    log.omittedLines = kept.omittedLines();
    log.omittedBytes = kept.omittedBytes();
    return log;
  }

  /**
   * Appends output: one line, or several if it contains line breaks ({@code \n}, {@code \r\n} or
   * {@code \r}; one at the very end is ignored).
   *
   * @return the lines as kept: split, lone surrogates replaced by U+FFFD, over-long lines cut
   */
  List<String> append(String output) {
    List<String> added = new ArrayList<>(1);
    for (String raw : splitLines(output)) {
      String line = capped(sanitized(raw), lineCap);
      add(line);
      added.add(line);
    }
    return added;
  }

  private void add(String line) {
    long bytes = lineBytes(line);
    totalLines++;
    if (!headClosed && headBytes + bytes <= headBudget) {
      head.add(line);
      headBytes += bytes;
      return;
    }
    headClosed = true;
    tail.addLast(line);
    tailBytes += bytes;
    if (omittedLines == 0 && headBytes + tailBytes <= maxBytes) {
      return;
    }
    // The caps guarantee head + reserve + one capped line fit, so the newest line always stays.
    while (headBytes + MARKER_RESERVE + tailBytes > maxBytes) {
      String dropped = tail.removeFirst();
      long droppedBytes = lineBytes(dropped);
      tailBytes -= droppedBytes;
      omittedLines++;
      omittedBytes += droppedBytes;
    }
  }

  /** The kept lines in order: head, the omission marker if lines were dropped, tail. */
  List<String> lines() {
    List<String> lines = new ArrayList<>(head.size() + tail.size() + 1);
    lines.addAll(head);
    if (omittedLines > 0) {
      lines.add(omissionMarker(omittedLines, omittedBytes));
    }
    lines.addAll(tail);
    return lines;
  }

  /** The kept lines, each ending with {@code \n}; at most {@code maxBytes} UTF-8 bytes. */
  String text() {
    StringBuilder text = new StringBuilder();
    for (String line : lines()) {
      text.append(line).append('\n');
    }
    return text.toString();
  }

  /** The kept log with what a reader on another replica needs to continue it. */
  KeptLog snapshot() {
    return new KeptLog(text(), totalLines, head.size(), omittedLines, omittedBytes);
  }

  /** How many lines were appended in all, dropped ones included. */
  long totalLines() {
    return totalLines;
  }

  long omittedLines() {
    return omittedLines;
  }

  /** The UTF-8 bytes of the dropped lines, each with its {@code \n}. */
  long omittedBytes() {
    return omittedBytes;
  }

  /**
   * The line standing for dropped lines, e.g. {@code … 1234 lines (56 KiB) omitted …}; without a
   * size when {@code bytes} is negative (a reader that missed lines does not know their size).
   */
  static String omissionMarker(long lines, long bytes) {
    String count = lines == 1 ? "1 line" : lines + " lines";
    String size = bytes < 0 ? "" : " (" + humanBytes(bytes) + ")";
    return "… " + count + size + " omitted …";
  }

  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return Math.round(bytes / 1024.0) + " KiB";
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** Splits output into lines at {@code \r\n}, {@code \r} or {@code \n}, ignoring a final one. */
  static List<String> splitLines(String output) {
    List<String> lines = new ArrayList<>(1);
    int start = 0;
    int length = output.length();
    for (int i = 0; i < length; i++) {
      char c = output.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(output.substring(start, i));
        if (c == '\r' && i + 1 < length && output.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < length || lines.isEmpty()) {
      lines.add(output.substring(start));
    }
    return lines;
  }

  /** Replaces lone surrogates (which have no UTF-8 form) with U+FFFD. */
  static String sanitized(String line) {
    StringBuilder fixed = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < line.length()
              && Character.isLowSurrogate(line.charAt(i + 1));
      if (pair) {
        if (fixed != null) {
          fixed.append(c).append(line.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (fixed == null) {
          fixed = new StringBuilder(line.length()).append(line, 0, i);
        }
        fixed.append('\uFFFD');
      } else if (fixed != null) {
        fixed.append(c);
      }
    }
    return fixed == null ? line : fixed.toString();
  }

  /**
   * The line itself if it takes at most {@code cap} bytes with its {@code \n}; else its start, cut
   * at a character boundary, and a note of how many bytes were cut, together within {@code cap}.
   */
  static String capped(String line, int cap) {
    long length = utf8Length(line);
    if (length + 1 <= cap) {
      return line;
    }
    int room = cap - 1 - CUT_NOTE_RESERVE;
    int end = 0;
    long kept = 0;
    while (end < line.length()) {
      int codePoint = line.codePointAt(end);
      int bytes = utf8Length(codePoint);
      if (kept + bytes > room) {
        break;
      }
      kept += bytes;
      end += Character.charCount(codePoint);
    }
    return line.substring(0, end) + " … [" + (length - kept) + " bytes cut]";
  }

  /** UTF-8 bytes of a line plus its {@code \n}. */
  static long lineBytes(String line) {
    return utf8Length(line) + 1;
  }

  /** UTF-8 bytes of a string whose surrogates are paired (see {@link #sanitized}). */
  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      bytes += utf8Length(codePoint);
      i += Character.charCount(codePoint);
    }
    return bytes;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    return codePoint < 0x10000 ? 3 : 4;
  }
}
