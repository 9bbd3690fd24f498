package dev.branchyard.spec.load;

import dev.branchyard.spec.CatalogChange;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SourceSnapshot.SnapshotFile;
import dev.branchyard.spec.SpecCatalog;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Feeds {@link SpecCatalog} from a directory ({@code branchyard.specs.directory.*}): reads it at
 * startup, then re-reads it whenever its files change. Every change, including an editor's
 * write-to-temp-then-rename, ends in a full re-read once the directory has been quiet for the
 * debounce time, so a burst of writes costs one reload. A missing or unreadable directory is
 * reported and keeps the specs read before; every {@link #MISSING_DIRECTORY_RETRY} the source looks
 * for a missing directory again, and checks that the watched one is still in place.
 */
@Singleton
public class DirectorySpecSource implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(DirectorySpecSource.class);

  static final Duration MISSING_DIRECTORY_RETRY = Duration.ofSeconds(2);

  private final boolean enabled;
  private final Path directory;
  private final Duration debounce;
  private final SpecFiles files;
  private final SpecCatalog catalog;
  private final CatalogChangeLog changeLog = new CatalogChangeLog(LOG);
  private final AtomicLong reloads = new AtomicLong();

  /** Serializes reloads; not the instance's monitor, which close() holds while the thread ends. */
  private final Object reloadLock = new Object();

  private volatile WatchService watchService;
  private volatile Thread watcher;
  private volatile boolean closed;
  private Optional<Object> watchedFileKey = Optional.empty();

  @Inject
  DirectorySpecSource(SpecSourceConfig config, SpecFiles files, SpecCatalog catalog) {
    this(
        config.directory().enabled(),
        config.directory().path(),
        config.directory().debounce(),
        files,
        catalog);
  }

  /** A source for {@code directory}; nothing is read before {@link #start()}. */
  public DirectorySpecSource(
      Path directory, Duration debounce, SpecFiles files, SpecCatalog catalog) {
    this(true, directory, debounce, files, catalog);
  }

  private DirectorySpecSource(
      boolean enabled, Path directory, Duration debounce, SpecFiles files, SpecCatalog catalog) {
    this.enabled = enabled;
    this.directory = directory;
    this.debounce = debounce;
    this.files = files;
    this.catalog = catalog;
  }

  void onStart(@Observes StartupEvent event) {
    if (enabled) {
      start();
    } else {
      LOG.debug("spec directory disabled (branchyard.specs.directory.enabled=false)");
    }
  }

  /** The id under which this source's specs and problems appear in the catalog. */
  public String sourceId() {
    return "directory:" + directory;
  }

  /** How many times the directory has been read, for tests and diagnostics. */
  public long reloadCount() {
    return reloads.get();
  }

  /** Reads the directory now, then watches it on a thread of its own until {@link #close()}. */
  public synchronized void start() {
    if (watcher != null) {
      throw new IllegalStateException("already started: " + sourceId());
    }
    try {
      watchService = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      // Without a watch service the specs are still read once; they just won't follow edits.
      LOG.warnf("cannot watch %s for changes (%s); read once at startup only", directory, e);
    }
    // Registered before the first read, so a change made during the read is not missed.
    WatchKey key = register();
    reload();
    if (watchService != null) {
      watcher = new Thread(() -> watch(key), "spec-directory-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        LOG.debugf("closing the watch service of %s: %s", directory, e);
      }
    }
    if (watcher != null) {
      try {
        watcher.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void watch(WatchKey initialKey) {
    WatchKey key = initialKey;
    try {
      while (!closed) {
        if (key == null || !key.isValid()) {
          key = register();
          if (key == null) {
            // Nothing to watch yet: wait (woken early only by close) and look again.
            watchService.poll(MISSING_DIRECTORY_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            continue;
          }
          // The directory (re)appeared: whatever it holds now is new.
          reload();
        }
        WatchKey signalled =
            watchService.poll(MISSING_DIRECTORY_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        if (signalled == null) {
          // inotify says nothing when the watched directory itself is moved away or replaced.
          if (!watchedFileKey.equals(fileKeyOf(directory))) {
            key.cancel();
            key = null;
            reload();
          }
          continue;
        }
        drain(signalled);
        // Debounce: a burst of events (a save via rename, a git checkout) becomes one reload.
        for (WatchKey more = watchService.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
            more != null;
            more = watchService.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) {
          drain(more);
        }
        reload();
      }
    } catch (ClosedWatchServiceException | InterruptedException stopped) {
      // close() was called: the thread ends quietly.
    } catch (RuntimeException e) {
      LOG.errorf(e, "stopped watching %s; specs there are no longer reloaded", directory);
    }
  }

  /** The identity (e.g. device and inode) of the directory at {@code path}; empty if none. */
  private static Optional<Object> fileKeyOf(Path path) {
    try {
      return Optional.ofNullable(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
    } catch (IOException gone) {
      return Optional.empty();
    }
  }

  private static void drain(WatchKey key) {
    // Which files changed does not matter: every change re-reads the whole directory.
    key.pollEvents();
    key.reset();
  }

  private WatchKey register() {
    if (watchService == null || !Files.isDirectory(directory)) {
      return null;
    }
    try {
      watchedFileKey = fileKeyOf(directory);
      return directory.register(
          watchService,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      LOG.debugf("cannot watch %s yet: %s", directory, e);
      return null;
    }
  }

  private void reload() {
    synchronized (reloadLock) {
      reloadLocked();
    }
  }

  private void reloadLocked() {
    reloads.incrementAndGet();
    if (!Files.isDirectory(directory)) {
      fail(
          "spec directory "
              + directory.toAbsolutePath()
              + " does not exist; create it or set branchyard.specs.directory.path");
      return;
    }
    List<Path> paths;
    try {
      paths = files.expand(directory);
    } catch (IOException e) {
      fail("spec directory " + directory.toAbsolutePath() + " cannot be listed: " + e);
      return;
    }
    List<SnapshotFile> snapshot =
        paths.stream().map(path -> new SnapshotFile(files.load(path), modifiedAt(path))).toList();
    CatalogChange change = catalog.apply(sourceId(), new SourceSnapshot(snapshot));
    if (change.recovered().contains(sourceId())) {
      LOG.infof("spec directory %s is readable again", directory);
    }
    changeLog.log(change);
  }

  private void fail(String reason) {
    CatalogChange change = catalog.sourceFailed(sourceId(), reason);
    if (change.failed().containsKey(sourceId())) {
      LOG.warnf("%s; the specs read from it before stay in use", reason);
    }
  }

  private static String modifiedAt(Path path) {
    try {
      return Files.getLastModifiedTime(path).toInstant().toString();
    } catch (IOException e) {
      // The file vanished after listing; its load reports the same, this only labels it.
      return "unknown";
    }
  }
}
