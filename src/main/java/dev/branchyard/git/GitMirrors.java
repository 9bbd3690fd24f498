package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.git.JGitTransport.CommitReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.PackInvalidException;
import org.eclipse.jgit.errors.PackMismatchException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.jboss.logging.Logger;

/**
 * Bare mirrors of the repositories Branchyard checks out, one per repository URL, in one cache
 * directory: a commit is fetched once (depth 1, and only the objects its mirror lacks, since JGit
 * tells the server which commits the mirror has), and every later checkout of it reads from disk.
 *
 * <pre>
 * owner.lock                  locked by the process using the directory, for its lifetime
 * &lt;name&gt;-&lt;hash&gt;.git/          a mirror; refs/branchyard/commits/&lt;sha&gt; keeps each fetched commit
 * &lt;name&gt;-&lt;hash&gt;.git.new-&lt;id&gt;   a mirror being created; renamed into place after its first fetch
 * &lt;name&gt;-&lt;hash&gt;.git.old-&lt;id&gt;   a mirror being deleted (evicted, or found corrupt)
 * </pre>
 *
 * <p><b>Concurrency</b>: one read-write lock per mirror. Checkouts read under the read lock, so any
 * number read one mirror at once; opening, fetching into, creating and deleting a mirror hold the
 * write lock, so one fetch per repository runs at a time and a second checkout of the same missing
 * commit finds it fetched. One process owns the directory ({@code owner.lock}); a second process
 * (say a test run beside {@code make run}) does not use it and checks out without mirrors.
 *
 * <p><b>Crashes</b>: a new mirror only appears under its name once its first fetch is complete
 * (written as {@code .new-*}, then renamed), so a half-written mirror is never used: leftovers are
 * deleted when the directory is next taken over. A fetch into an existing mirror adds a complete
 * pack or nothing; the lock files a crash can leave in a mirror are removed before its next fetch.
 * A mirror that cannot be read (a lost or damaged pack, say) is deleted and fetched afresh, once
 * per checkout.
 *
 * <p><b>Bounds</b>: after each fetch, the least recently used mirrors beyond {@code max-repos} or
 * {@code max-size} are deleted, never one in use. Each fetch adds a pack; a mirror with {@link
 * #MAX_PACKS} packs is fetched afresh at its next fetch, so lookups stay quick without a gc.
 *
 * <p>A commit a mirror holds is checked out without asking the server again; it is the same commit
 * wherever it came from (its SHA names its content).
 */
final class GitMirrors {

  private static final Logger LOG = Logger.getLogger(GitMirrors.class);

  /** One instance per directory and JVM: the directory's locks must be shared by all users. */
  private static final Map<Path, GitMirrors> BY_DIRECTORY = new ConcurrentHashMap<>();

  static final String COMMITS = "refs/branchyard/commits/";
  static final int MAX_PACKS = 64;
  static final String OWNER_LOCK = "owner.lock";
  private static final String SUFFIX = ".git";
  private static final String NEW = ".new-";
  private static final String OLD = ".old-";

  private final Path dir;
  private final int maxRepos;
  private final long maxBytes;
  private final Clock clock;
  private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();

  private Boolean owned;
  private FileChannel ownerChannel;

  GitMirrors(Path dir, int maxRepos, long maxBytes, Clock clock) {
    this.dir = dir.toAbsolutePath().normalize();
    this.maxRepos = Math.max(1, maxRepos);
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /**
   * The mirrors in {@code dir}, shared by everything in this JVM that uses that directory; the
   * first caller's bounds apply.
   */
  static GitMirrors inDirectory(Path dir, int maxRepos, long maxBytes, Clock clock) {
    return BY_DIRECTORY.computeIfAbsent(
        dir.toAbsolutePath().normalize(), d -> new GitMirrors(d, maxRepos, maxBytes, clock));
  }

  Path directory() {
    return dir;
  }

  /**
   * Whether this process may use the directory: the first call takes {@code owner.lock} (keeping it
   * until the JVM exits) and deletes what an earlier, crashed owner left half done.
   */
  synchronized boolean available() {
    if (owned == null) {
      owned = takeOwnership();
    }
    return owned;
  }

  private boolean takeOwnership() {
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        LOG.warnf(
            "the git mirror directory %s is used by another process; checkouts fetch each commit"
                + " afresh (set branchyard.git.mirror.dir to a directory of this process's own)",
            dir);
        channel.close();
        return false;
      }
      ownerChannel = channel;
      deleteLeftovers();
      return true;
    } catch (IOException | OverlappingFileLockException | UncheckedIOException e) {
      LOG.warnf(
          "cannot use the git mirror directory %s (%s); checkouts fetch each commit afresh",
          dir, e);
      closeQuietly(channel);
      return false;
    }
  }

  /** Gives up the directory (tests: a new instance plays the process started after a crash). */
  synchronized void close() {
    mirrors.values().forEach(Mirror::closeRepository);
    closeQuietly(ownerChannel);
    ownerChannel = null;
    owned = null;
    BY_DIRECTORY.remove(dir, this);
  }

  /**
   * Hands {@code reader} the mirror of {@code repo} holding {@code commit}, fetching the commit
   * first if the mirror lacks it (creating the mirror if there is none). The reader runs under the
   * mirror's read lock and must not keep the repository. If it fails because the mirror cannot be
   * read, the mirror is fetched afresh and the reader runs a second time.
   *
   * @throws IllegalArgumentException if {@code commit} is not a full 40-hex SHA
   * @throws GitAccessException if the commit cannot be fetched, or the reader fails
   */
  <T> T withCommit(JGitTransport transport, String repo, String commit, CommitReader<T> reader)
      throws GitAccessException {
    if (!ObjectId.isId(commit)) {
      throw new IllegalArgumentException("not a full 40-hex commit SHA: " + commit);
    }
    ObjectId id = ObjectId.fromString(commit);
    Mirror mirror = mirrors.computeIfAbsent(nameOf(transport.urlOf(repo)), Mirror::new);
    for (int attempt = 1; ; attempt++) {
      boolean fetched = ensureReadLocked(transport, repo, mirror, commit, id);
      try {
        touch(mirror);
        return reader.read(mirror.db, id);
      } catch (GitAccessException e) {
        if (attempt > 1 || !isDamagedMirror(e)) {
          throw e;
        }
        LOG.warnf("the mirror of %s cannot be read (%s); fetching it afresh", repo, rootCause(e));
        mirror.damaged = true;
      } finally {
        mirror.lock.readLock().unlock();
        if (fetched) {
          prune(mirror);
        }
      }
    }
  }

  /** Returns with the mirror's read lock held and {@code commit} in it; true if it was fetched. */
  private boolean ensureReadLocked(
      JGitTransport transport, String repo, Mirror mirror, String commit, ObjectId id)
      throws GitAccessException {
    mirror.lock.readLock().lock();
    try {
      if (mirror.db != null && !mirror.damaged && holds(mirror.db, id)) {
        return false;
      }
    } catch (IOException unreadable) {
      // Looked at again, and recovered, under the write lock.
    }
    mirror.lock.readLock().unlock();
    mirror.lock.writeLock().lock();
    try {
      boolean fetched = ensure(transport, repo, mirror, commit, id);
      mirror.lock.readLock().lock();
      return fetched;
    } finally {
      mirror.lock.writeLock().unlock();
    }
  }

  /** Under the write lock: opens, fetches into, or creates the mirror so it holds the commit. */
  private boolean ensure(
      JGitTransport transport, String repo, Mirror mirror, String commit, ObjectId id)
      throws GitAccessException {
    Path path = dir.resolve(mirror.name);
    for (int attempt = 1; ; attempt++) {
      try {
        if (mirror.damaged) {
          discard(mirror);
        }
        if (mirror.db == null && Files.isDirectory(path)) {
          mirror.db = open(path);
        }
        if (mirror.db != null) {
          if (holds(mirror.db, id)) {
            return false;
          }
          if (packCount(path) < MAX_PACKS) {
            deleteStaleLocks(path);
            transport.fetchCommit(repo, mirror.db, commit, COMMITS + commit);
            if (!holds(mirror.db, id)) {
              throw new IOException("the fetched commit is not in the mirror");
            }
            return true;
          }
          LOG.infof("the mirror of %s has %d packs; fetching it afresh", repo, MAX_PACKS);
          discard(mirror);
        }
        create(transport, repo, mirror, commit, id);
        return true;
      } catch (IOException | UncheckedIOException e) {
        if (attempt > 1) {
          throw new GitAccessException(
              repo,
              Reason.PROTOCOL,
              "the local mirror " + path + " cannot be used: " + e.getMessage(),
              e);
        }
        LOG.warnf("the mirror of %s is damaged (%s); fetching it afresh", repo, e.getMessage());
        mirror.damaged = true;
      } catch (GitAccessException e) {
        // A failure the server did not explain may come from the mirror (a ref naming a lost
        // object, say): one fresh start tells. Unreachable, refused or missing stays as it is.
        if (attempt > 1 || e.reason() != Reason.PROTOCOL || mirror.db == null) {
          throw e;
        }
        LOG.warnf("fetching into the mirror of %s failed (%s); fetching it afresh", repo, e);
        mirror.damaged = true;
      }
    }
  }

  /** Fetches the commit into a new repository and renames it into place once complete. */
  private void create(
      JGitTransport transport, String repo, Mirror mirror, String commit, ObjectId id)
      throws GitAccessException, IOException {
    Path path = dir.resolve(mirror.name);
    Path fresh = dir.resolve(mirror.name + NEW + UUID.randomUUID());
    try {
      try (Repository db = transport.initBare(repo, fresh)) {
        transport.fetchCommit(repo, db, commit, COMMITS + commit);
      }
      Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(fresh);
    }
    mirror.db = open(path);
    if (!holds(mirror.db, id)) {
      throw new IOException("the fetched commit is not in the new mirror");
    }
  }

  /** Closes and deletes the mirror: renamed away first, so its name is free at once. */
  private void discard(Mirror mirror) {
    mirror.closeRepository();
    mirror.damaged = false;
    Path path = dir.resolve(mirror.name);
    if (Files.exists(path)) {
      Path old = dir.resolve(mirror.name + OLD + UUID.randomUUID());
      try {
        Files.move(path, old, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot move " + path + " aside", e);
      }
      deleteTree(old);
    }
  }

  private static Repository open(Path path) throws IOException {
    return new FileRepositoryBuilder().setGitDir(path.toFile()).setMustExist(true).build();
  }

  /**
   * Whether the mirror holds the commit. Its tree is not walked: a fetch adds a complete pack or
   * nothing, so a commit present has its files too, unless the disk lost them, which the reader
   * finds.
   */
  private static boolean holds(Repository db, ObjectId id) throws IOException {
    if (!db.getObjectDatabase().has(id)) {
      return false;
    }
    try (RevWalk walk = new RevWalk(db)) {
      walk.parseCommit(id);
      return true;
    }
  }

  private static long packCount(Path mirror) throws IOException {
    Path packs = mirror.resolve("objects/pack");
    if (!Files.isDirectory(packs)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(packs)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pack")).count();
    }
  }

  /**
   * Lock files (refs, shallow, config) and partial packs a process killed mid-fetch left behind.
   * Only called under the write lock of the directory's owner, so none of them is live.
   */
  private static void deleteStaleLocks(Path mirror) throws IOException {
    try (Stream<Path> files = Files.walk(mirror)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".lock") || name.startsWith("incoming_")) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Leftovers of a crashed owner: mirrors half created or half deleted. */
  private void deleteLeftovers() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.contains(SUFFIX + NEW) || name.contains(SUFFIX + OLD)) {
          LOG.infof("deleting %s, left half done by an earlier process", entry);
          deleteTree(entry);
        }
      }
    }
  }

  private void touch(Mirror mirror) {
    try {
      Files.setLastModifiedTime(dir.resolve(mirror.name), FileTime.from(clock.instant()));
    } catch (IOException e) {
      // Only the eviction order suffers.
      LOG.debugf("cannot mark %s as used: %s", mirror.name, e.getMessage());
    }
  }

  /** Deletes least recently used mirrors beyond the bounds, skipping those in use. */
  private void prune(Mirror justUsed) {
    record Entry(String name, FileTime used, long bytes) {}
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> listing = Files.list(dir)) {
      for (Path path : listing.toList()) {
        String name = path.getFileName().toString();
        if (name.endsWith(SUFFIX) && Files.isDirectory(path)) {
          entries.add(new Entry(name, Files.getLastModifiedTime(path), sizeOf(path)));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warnf("cannot list the git mirrors in %s to prune them: %s", dir, e.getMessage());
      return;
    }
    entries.sort(Comparator.comparing(Entry::used).reversed());
    int kept = 0;
    long bytes = 0;
    for (Entry entry : entries) {
      boolean fits = kept < maxRepos && bytes + entry.bytes() <= maxBytes;
      if (fits || entry.name().equals(justUsed.name)) {
        kept++;
        bytes += entry.bytes();
        continue;
      }
      Mirror mirror = mirrors.computeIfAbsent(entry.name(), Mirror::new);
      if (mirror.lock.writeLock().tryLock()) {
        try {
          LOG.infof("evicting the git mirror %s (least recently used)", entry.name());
          discard(mirror);
        } catch (UncheckedIOException e) {
          LOG.warnf("cannot evict the git mirror %s: %s", entry.name(), e.getMessage());
        } finally {
          mirror.lock.writeLock().unlock();
        }
      }
    }
  }

  private static long sizeOf(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      return files
          .mapToLong(
              f -> {
                try {
                  BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                  return a.isRegularFile() ? a.size() : 0;
                } catch (IOException gone) {
                  return 0;
                }
              })
          .sum();
    }
  }

  /**
   * The mirror's directory name: readable (the URL's last two path segments) and unique (a hash of
   * the URL without credentials).
   */
  static String nameOf(String url) {
    String withoutCredentials = JGitTransport.withoutUserInfo(url);
    String path = withoutCredentials.replaceFirst("^[a-z+]+://[^/]*", "").replaceAll("\\.git$", "");
    String[] segments = path.split("/");
    String tail =
        String.join(
                "-",
                List.of(segments)
                    .subList(Math.max(0, segments.length - 2), segments.length)
                    .stream()
                    .filter(s -> !s.isEmpty())
                    .toList())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9._-]", "_");
    tail = tail.length() > 60 ? tail.substring(0, 60) : tail;
    return (tail.isEmpty() ? "repo" : tail) + "-" + sha256(withoutCredentials) + SUFFIX;
  }

  private static String sha256(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Whether the reader failed because the mirror's objects cannot be read. */
  private static boolean isDamagedMirror(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof MissingObjectException
          || t instanceof CorruptObjectException
          || t instanceof PackInvalidException
          || t instanceof PackMismatchException
          || t instanceof java.util.zip.DataFormatException) {
        return true;
      }
    }
    return false;
  }

  private static String rootCause(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.toString();
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing releases the lock; a failure to close changes nothing we could act on.
      }
    }
  }

  /** One repository's mirror: its lock, and the repository while open. */
  private static final class Mirror {
    final String name;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    // Changed only under the write lock.
    Repository db;

    // Set by a reader that found objects missing or damaged; the next writer starts afresh.
    volatile boolean damaged;

    Mirror(String name) {
      this.name = name;
    }

    void closeRepository() {
      if (db != null) {
        db.close();
        db = null;
      }
    }
  }
}
