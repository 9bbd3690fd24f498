package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.spec.CatalogChange;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecError;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.load.CatalogChangeLog;
import dev.branchyard.spec.load.SpecSourceConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FileUtils;
import org.jboss.logging.Logger;

/**
 * Feeds {@link SpecCatalog} from a directory of a git branch ({@code branchyard.specs.git.*}). A
 * Quartz job lists the branch's tip every interval; only a new tip is fetched (depth 1, into a bare
 * repository kept in the work dir) and its {@code *.yaml}/{@code *.yml} files directly under the
 * path are read and applied, with the commit SHA as revision. A server that cannot be reached, or
 * refuses the credentials, is reported once per change of state and keeps the specs read before.
 */
@Singleton
public class GitSpecSource implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(GitSpecSource.class);

  /** As {@code SpecFiles}' limit for local files: far above any real spec. */
  static final int MAX_FILE_BYTES = 4 << 20;

  private static final String TIP_REF = "refs/branchyard/spec-tip";
  private static final Pattern SPEC_FILE = Pattern.compile(".*\\.ya?ml");

  private final Optional<String> repo;
  private final String branch;
  private final String path;
  private final Optional<Path> configuredWorkDir;
  private final JGitTransport transport;
  private final SpecParser parser;
  private final SpecCatalog catalog;
  private final CatalogChangeLog changeLog = new CatalogChangeLog(LOG);
  private final AtomicLong fetches = new AtomicLong();

  private Path workDir;
  private boolean ownsWorkDir;
  private Repository db;
  private String lastTip;
  private Optional<SourceSnapshot> lastSnapshot = Optional.empty();

  @Inject
  GitSpecSource(
      SpecSourceConfig config, GitConfig gitConfig, SpecParser parser, SpecCatalog catalog) {
    this(
        config.git().url(),
        config.git().branch(),
        config.git().path(),
        config.git().workDir(),
        gitConfig,
        parser,
        catalog);
  }

  /**
   * A source reading {@code path} of {@code repo} (git URL or GitHub {@code owner/name}) at the tip
   * of {@code branch}, keeping fetched commits in {@code workDir}; nothing is read before {@link
   * #poll()}.
   */
  public GitSpecSource(
      String repo,
      String branch,
      String path,
      Path workDir,
      GitConfig gitConfig,
      SpecParser parser,
      SpecCatalog catalog) {
    this(Optional.of(repo), branch, path, Optional.of(workDir), gitConfig, parser, catalog);
  }

  private GitSpecSource(
      Optional<String> repo,
      String branch,
      String path,
      Optional<Path> workDir,
      GitConfig gitConfig,
      SpecParser parser,
      SpecCatalog catalog) {
    this.repo = repo;
    this.branch = branch;
    // "env-specs/", "/env-specs" and "env-specs" name the same directory; "" or "." the root.
    this.path = path.replaceAll("^[./]+$", "").replaceAll("^/+|/+$", "");
    this.configuredWorkDir = workDir;
    this.transport = new JGitTransport(gitConfig);
    this.parser = parser;
    this.catalog = catalog;
  }

  // The interval's default repeats SpecSourceConfig's, as the annotation reads raw config.
  @Scheduled(
      identity = "git-spec-source",
      every = "${branchyard.specs.git.interval:60s}",
      concurrentExecution = ConcurrentExecution.SKIP)
  void onSchedule() {
    if (repo.isPresent()) {
      poll();
    }
  }

  /** The id under which this source's specs and problems appear in the catalog. */
  public String sourceId() {
    // Without user info: the id shows up in logs and on the status page, a token must not.
    return "git:" + repo.map(JGitTransport::withoutUserInfo).orElse("<unset>") + "@" + branch;
  }

  /** How many commits have been fetched and read, for tests and diagnostics. */
  public long fetchCount() {
    return fetches.get();
  }

  /**
   * Checks the branch tip once; fetches, reads and applies it when it moved. Never throws for what
   * the server or the repository does: failures are reported to the catalog and logged.
   */
  public synchronized void poll() {
    if (repo.isEmpty()) {
      throw new IllegalStateException("no repository configured (branchyard.specs.git.url)");
    }
    String url = transport.urlOf(repo.get());
    try {
      String tip = listTip(url);
      if (tip.equals(lastTip)) {
        // Re-applying the same snapshot changes nothing but clears a failure reported since.
        lastSnapshot.ifPresent(this::apply);
        return;
      }
      Repository db = workRepository();
      ObjectId fetched = fetchTip(db, url);
      fetches.incrementAndGet();
      Optional<List<SpecParseResult>> results = readSpecs(db, fetched);
      lastTip = fetched.name();
      if (results.isEmpty()) {
        lastSnapshot = Optional.empty();
        fail(
            "no directory '"
                + path
                + "' at commit "
                + fetched.name()
                + " of "
                + sourceId()
                + "; check branchyard.specs.git.path");
        return;
      }
      SourceSnapshot snapshot = SourceSnapshot.atRevision(fetched.name(), results.get());
      lastSnapshot = Optional.of(snapshot);
      LOG.debugf("read %d spec files of %s at %s", results.get().size(), sourceId(), lastTip);
      apply(snapshot);
    } catch (GitAccessException e) {
      fail(e.getMessage());
    }
  }

  private void apply(SourceSnapshot snapshot) {
    CatalogChange change = catalog.apply(sourceId(), snapshot);
    if (change.recovered().contains(sourceId())) {
      LOG.infof("spec source %s works again", sourceId());
    }
    changeLog.log(change);
  }

  private void fail(String reason) {
    CatalogChange change = catalog.sourceFailed(sourceId(), reason);
    if (change.failed().containsKey(sourceId())) {
      LOG.warnf("spec source %s failed: %s; the specs read before stay in use", sourceId(), reason);
    }
  }

  private String listTip(String url) throws GitAccessException {
    String ref = Constants.R_HEADS + branch;
    try {
      Map<String, Ref> refs =
          transport
              .configure(Git.lsRemoteRepository().setRemote(url).setHeads(true), url)
              .callAsMap();
      Ref tip = refs.get(ref);
      if (tip == null || tip.getObjectId() == null) {
        throw new GitAccessException(
            repo.get(),
            Reason.NOT_FOUND,
            "no branch '" + branch + "'; check branchyard.specs.git.branch",
            null);
      }
      return tip.getObjectId().name();
    } catch (GitAPIException | RuntimeException e) {
      throw transport.failure(repo.get(), url, e);
    }
  }

  private ObjectId fetchTip(Repository db, String url) throws GitAccessException {
    try (Git git = new Git(db)) {
      transport
          .configure(
              git.fetch()
                  .setRemote(url)
                  .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + branch + ":" + TIP_REF))
                  .setDepth(1)
                  .setTagOpt(TagOpt.NO_TAGS),
              url)
          .call();
      Ref fetched = db.exactRef(TIP_REF);
      if (fetched == null) {
        throw new GitAccessException(
            repo.get(), Reason.NOT_FOUND, "branch '" + branch + "' vanished while fetching", null);
      }
      return fetched.getObjectId();
    } catch (GitAPIException | IOException | RuntimeException e) {
      throw transport.failure(repo.get(), url, e);
    }
  }

  /** The parsed spec files under the path at {@code commitId}; empty when the path is no tree. */
  private Optional<List<SpecParseResult>> readSpecs(Repository db, ObjectId commitId)
      throws GitAccessException {
    try (RevWalk walk = new RevWalk(db)) {
      RevCommit commit = walk.parseCommit(commitId);
      ObjectId tree = commit.getTree();
      if (!path.isEmpty()) {
        try (TreeWalk dir = TreeWalk.forPath(db, path, commit.getTree())) {
          if (dir == null
              || (dir.getFileMode(0).getBits() & FileMode.TYPE_MASK) != FileMode.TYPE_TREE) {
            return Optional.empty();
          }
          tree = dir.getObjectId(0);
        }
      }
      List<SpecParseResult> results = new ArrayList<>();
      try (TreeWalk files = new TreeWalk(db)) {
        files.addTree(tree);
        files.setRecursive(false);
        while (files.next()) {
          boolean regularFile =
              (files.getFileMode(0).getBits() & FileMode.TYPE_MASK) == FileMode.TYPE_FILE;
          if (regularFile && SPEC_FILE.matcher(files.getNameString()).matches()) {
            String file =
                path.isEmpty() ? files.getNameString() : path + "/" + files.getNameString();
            results.add(parse(db, file, files.getObjectId(0)));
          }
        }
      }
      return Optional.of(results);
    } catch (IOException e) {
      throw new GitAccessException(
          repo.get(),
          Reason.PROTOCOL,
          "fetched commit " + commitId.name() + " cannot be read: " + e.getMessage(),
          e);
    }
  }

  private SpecParseResult parse(Repository db, String file, ObjectId blob) throws IOException {
    byte[] bytes;
    try {
      bytes = db.open(blob, Constants.OBJ_BLOB).getCachedBytes(MAX_FILE_BYTES);
    } catch (LargeObjectException e) {
      return unreadable(
          file, "is larger than " + MAX_FILE_BYTES + " bytes: a spec is a few kilobytes");
    }
    try {
      // Strictly, as SpecFiles reads local files: a Latin-1 spec is reported, not garbled.
      String content =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return parser.parse(file, content);
    } catch (CharacterCodingException e) {
      return unreadable(file, "is not UTF-8 text: save it as UTF-8");
    }
  }

  private static SpecParseResult unreadable(String file, String message) {
    return new SpecParseResult.Invalid(
        file, List.of(new SpecError(file, 1, 1, "", "the file " + message)));
  }

  private Repository workRepository() throws GitAccessException {
    if (db != null) {
      return db;
    }
    try {
      if (workDir == null) {
        ownsWorkDir = configuredWorkDir.isEmpty();
        workDir =
            configuredWorkDir.isPresent()
                ? Files.createDirectories(configuredWorkDir.get())
                : Files.createTempDirectory("branchyard-specs-");
      }
      Path gitDir = workDir.resolve("specs.git");
      db = Git.init().setBare(true).setGitDir(gitDir.toFile()).call().getRepository();
      StoredConfig config = db.getConfig();
      // A background gc could still be writing when close() deletes the work dir.
      config.setBoolean(
          ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
      config.save();
      return db;
    } catch (IOException | GitAPIException e) {
      throw new GitAccessException(
          repo.get(),
          Reason.PROTOCOL,
          "cannot create the work repository: "
              + e.getMessage()
              + "; check branchyard.specs.git.work-dir",
          e);
    }
  }

  /** Deletes the work dir if this source created it. */
  @PreDestroy
  @Override
  public synchronized void close() {
    if (db != null) {
      db.close();
      db = null;
    }
    if (workDir != null && ownsWorkDir) {
      try {
        FileUtils.delete(workDir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY);
      } catch (IOException e) {
        LOG.warnf("could not delete spec work dir %s: %s", workDir, e.getMessage());
      }
      workDir = null;
    }
  }
}
