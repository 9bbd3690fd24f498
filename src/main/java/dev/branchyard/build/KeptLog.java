package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.ArrayList;
import java.util.List;

/**
 * A build log as {@link BoundedLog} keeps it, in the form that is stored and read back.
 *
 * @param text the kept lines, each ending with {@code \n}: head, omission marker (when lines were
 *     dropped), tail
 * @param totalLines how many lines were written in all, dropped ones included
 * @param headLines how many of the first lines of {@code text} are the head; the line after them is
 *     the omission marker when {@code omittedLines > 0}
 * @param omittedLines how many lines were dropped between head and tail
 * @param omittedBytes their UTF-8 size
 */
@Pure
record KeptLog(String text, long totalLines, int headLines, long omittedLines, long omittedBytes) {

  static final KeptLog EMPTY = new KeptLog("", 0, 0, 0, 0);

  /** The kept lines, without their line ends. */
  List<String> lines() {
    if (text.isEmpty()) {
      return List.of();
    }
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return List.of(body.split("\n", -1));
  }

  /**
   * What a reader that has seen the first {@code seen} lines of this log has not seen yet, in
   * order. Lines it missed that are no longer kept become one omission marker.
   */
  List<String> linesAfter(long seen) {
    if (seen >= totalLines) {
      return List.of();
    }
    List<String> lines = lines();
    boolean marked = omittedLines > 0 && headLines < lines.size();
    List<String> head = lines.subList(0, Math.min(headLines, lines.size()));
    List<String> tail = lines.subList(head.size() + (marked ? 1 : 0), lines.size());
    // Lines are numbered from 1: the head holds 1..headLines, the tail the last tail.size() lines.
    long firstTailLine = totalLines - tail.size() + 1;
    List<String> fresh = new ArrayList<>();
    if (seen < head.size()) {
      fresh.addAll(head.subList((int) seen, head.size()));
    }
    long missedFrom = Math.max(seen, head.size()) + 1;
    if (missedFrom < firstTailLine) {
      fresh.add(
          seen <= head.size() && marked
              ? lines.get(head.size())
              : BoundedLog.omissionMarker(firstTailLine - missedFrom, -1));
    }
    long skipInTail = Math.max(0, seen - (firstTailLine - 1));
    fresh.addAll(tail.subList((int) skipInTail, tail.size()));
    return fresh;
  }

  /** The last {@code count} kept lines, joined with {@code \n}; empty when nothing is kept. */
  String lastLines(int count) {
    List<String> lines = lines();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }
}
