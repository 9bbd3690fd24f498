package dev.branchyard.github;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.Trigger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * {@link IntakeJournal} in a file of JSON lines: {@code {"seq":n,...upsert}} when an upsert is
 * accepted (forced to disk before {@link #append} returns; appends that arrive while one is forced
 * share the next force, so a burst costs a few forces, not one each), {@code {"done":n}} when it
 * was recorded (not forced: a done line lost in a crash only means one upsert is recorded twice).
 *
 * <p>Each process holds one journal of the directory by a file lock ({@code journal-<n>.lock}), so
 * replicas or test runs sharing a directory never write the same file, and a journal left by a
 * process that died is taken over (and its upserts recorded) by the next process that starts. A
 * torn last line (a crash in the middle of a write) is skipped. The file is rewritten with only the
 * unfinished upserts at start-up and whenever it grows past {@code compactAboveBytes}.
 */
public final class FileIntakeJournal implements IntakeJournal, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FileIntakeJournal.class);

  /** Journals one directory holds at most (one per process using it at the same time). */
  static final int SLOTS = 64;

  private record Line(byte[] bytes, CompletableFuture<Void> forced) {}

  private final ObjectMapper json;
  private final Clock clock;
  private final Path file;
  private final long compactAboveBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<Journaled> recovered;
  private final Map<Long, byte[]> unfinished = new ConcurrentSkipListMap<>();
  private final Queue<Line> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock flushing = new ReentrantLock();
  private final AtomicLong sequence;
  private FileChannel channel;

  /**
   * Opens (or takes over) a journal in {@code directory}.
   *
   * @throws UncheckedIOException when the directory cannot be used or every slot is taken
   */
  public FileIntakeJournal(Path directory, ObjectMapper json, long compactAboveBytes, Clock clock) {
    this.json = json;
    this.clock = clock;
    this.compactAboveBytes = compactAboveBytes;
    try {
      Files.createDirectories(directory);
      FileChannel slotChannel = null;
      FileLock slotLock = null;
      int slot = 0;
      for (; slot < SLOTS && slotLock == null; slot++) {
        FileChannel candidate =
            FileChannel.open(
                directory.resolve("journal-" + slot + ".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
          slotLock = candidate.tryLock();
        } catch (OverlappingFileLockException e) {
          slotLock = null; // held by this very process (another journal object)
        }
        if (slotLock == null) {
          candidate.close();
        } else {
          slotChannel = candidate;
        }
      }
      if (slotLock == null) {
        throw new IOException(
            "all "
                + SLOTS
                + " journals in "
                + directory
                + " are held by running processes; give this one its own directory");
      }
      this.lockChannel = slotChannel;
      this.lock = slotLock;
      this.file = directory.resolve("journal-" + (slot - 1) + ".log");
      Map<Long, Journaled> found = new TreeMap<>();
      long last = read(found);
      this.sequence = new AtomicLong(last);
      this.recovered = List.copyOf(found.values());
      rewrite();
      if (!recovered.isEmpty()) {
        LOG.infof(
            "intake journal %s: %d accepted change(s) not yet recorded; recording them now",
            file, recovered.size());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the intake journal in " + directory, e);
    }
  }

  /** The file this journal writes. */
  public Path file() {
    return file;
  }

  @Override
  public long append(Upsert upsert) {
    long number = sequence.incrementAndGet();
    byte[] line = line(entry(number, upsert));
    unfinished.put(number, line);
    CompletableFuture<Void> forced = new CompletableFuture<>();
    queue.add(new Line(line, forced));
    flushing.lock();
    try {
      if (!forced.isDone()) {
        flush();
      }
    } finally {
      flushing.unlock();
    }
    try {
      forced.join();
    } catch (CompletionException e) {
      unfinished.remove(number);
      throw new JournalUnavailableException(
          "could not write the change down in " + file + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    return number;
  }

  @Override
  public void done(long sequence) {
    if (unfinished.remove(sequence) != null) {
      ObjectNode done = json.createObjectNode().put("done", sequence);
      queue.add(new Line(line(done), null));
    }
  }

  @Override
  public List<Journaled> recovered() {
    return recovered;
  }

  /** How many accepted upserts are not yet done. */
  public int unfinishedCount() {
    return unfinished.size();
  }

  /** Writes what is queued (done lines too) and lets the lock go. */
  @Override
  public void close() {
    flushing.lock();
    try {
      flush();
      channel.close();
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warnf("closing the intake journal %s: %s", file, e.getMessage());
    } finally {
      flushing.unlock();
    }
  }

  /**
   * Writes and forces everything queued; completes the waiting appends. Holds {@link #flushing}.
   */
  private void flush() {
    List<Line> batch = new ArrayList<>();
    Line line;
    while ((line = queue.poll()) != null) {
      batch.add(line);
    }
    if (batch.isEmpty()) {
      return;
    }
    int size = batch.stream().mapToInt(l -> l.bytes().length).sum();
    ByteBuffer buffer = ByteBuffer.allocate(size);
    batch.forEach(l -> buffer.put(l.bytes()));
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (batch.stream().anyMatch(l -> l.forced() != null)) {
        channel.force(false);
      }
      batch.stream().filter(l -> l.forced() != null).forEach(l -> l.forced().complete(null));
      if (channel.size() > compactAboveBytes) {
        rewrite();
      }
    } catch (IOException | RuntimeException e) {
      batch.stream()
          .filter(l -> l.forced() != null)
          .forEach(l -> l.forced().completeExceptionally(e));
    }
  }

  /**
   * Reads the file into {@link #unfinished} and {@code found} (the same upserts, parsed); returns
   * the highest sequence number in it.
   */
  private long read(Map<Long, Journaled> found) throws IOException {
    long last = 0;
    if (!Files.exists(file)) {
      return last;
    }
    int lineNumber = 0;
    for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNumber++;
      if (text.isBlank()) {
        continue;
      }
      try {
        JsonNode node = json.readTree(text);
        if (node.has("done")) {
          long number = node.get("done").asLong();
          unfinished.remove(number);
          found.remove(number);
        } else {
          long number = node.get("seq").asLong();
          // Unreadable entries are skipped here, not at replay.
          found.put(number, new Journaled(number, upsertOf(node), acceptedAt(node)));
          unfinished.put(number, (text + "\n").getBytes(StandardCharsets.UTF_8));
          last = Math.max(last, number);
        }
      } catch (JsonProcessingException | RuntimeException e) {
        LOG.warnf(
            "intake journal %s line %d is unreadable (a write cut short by a crash?); skipped: %s",
            file, lineNumber, e.getMessage());
      }
    }
    return last;
  }

  /** Replaces the file by one holding only the unfinished upserts; reopens it for appending. */
  private void rewrite() throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    try (FileChannel out =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (byte[] line : unfinished.values()) {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
      out.force(false);
    }
    try {
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
    }
    if (channel != null) {
      channel.close();
    }
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private ObjectNode entry(long number, Upsert upsert) {
    ObjectNode entry = json.createObjectNode();
    entry.put("seq", number);
    entry.put("spec", upsert.specName());
    entry.set("trigger", json.valueToTree(upsert.trigger()));
    upsert.ttl().ifPresent(ttl -> entry.put("ttl", ttl));
    entry.put("requestedAt", upsert.requestedAt().toString());
    entry.put("acceptedAt", clock.instant().toString());
    return entry;
  }

  private Upsert upsertOf(JsonNode node) throws JsonProcessingException {
    return new Upsert(
        node.get("spec").asText(),
        json.treeToValue(node.get("trigger"), Trigger.class),
        Optional.ofNullable(node.get("ttl")).map(JsonNode::asText),
        Instant.parse(node.get("requestedAt").asText()));
  }

  private static Instant acceptedAt(JsonNode node) {
    JsonNode at = node.get("acceptedAt");
    return at == null ? Instant.EPOCH : Instant.parse(at.asText());
  }

  private byte[] line(ObjectNode node) {
    try {
      return (json.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an intake journal entry is not writable as JSON", e);
    }
  }
}
