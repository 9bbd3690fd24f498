package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
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
 * {@link GitFiles} over JGit: fetches just the one commit (depth 1, no history, no tags) into a
 * temporary bare repository, reads the file from its tree and deletes the repository. The server
 * must allow fetching a commit by SHA, as GitHub does ({@code uploadpack.allowReachableSHA1InWant}
 * on plain git servers).
 */
@ApplicationScoped
public class JGitFiles implements GitFiles {

  private static final Logger LOG = Logger.getLogger(JGitFiles.class);

  /** Bigger files are not configuration; refusing them bounds the memory one read may take. */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  private static final String FETCHED_REF = "refs/branchyard/fetched";

  private final JGitTransport transport;
  private final Optional<Path> scratchDir;

  public JGitFiles(GitConfig config) {
    this.transport = new JGitTransport(config);
    this.scratchDir = config.scratchDir();
  }

  @Override
  public Optional<String> read(String repo, String commit, String path) throws GitAccessException {
    if (!ObjectId.isId(commit)) {
      throw new IllegalArgumentException("not a full 40-hex commit SHA: " + commit);
    }
    String url = transport.urlOf(repo);
    Path gitDir = createScratchRepository(repo);
    try (Git git = Git.init().setBare(true).setGitDir(gitDir.toFile()).call()) {
      disableAutoGc(git.getRepository());
      transport
          .configure(
              git.fetch()
                  .setRemote(url)
                  .setRefSpecs(new RefSpec(commit + ":" + FETCHED_REF))
                  .setDepth(1)
                  .setTagOpt(TagOpt.NO_TAGS),
              url)
          .call();
      return readFile(repo, git.getRepository(), ObjectId.fromString(commit), path);
    } catch (GitAPIException | RuntimeException e) {
      throw transport.failure(repo, url, e);
    } finally {
      deleteQuietly(gitDir);
    }
  }

  /**
   * JGit may start a background gc after a fetch; it would write into the directory while it is
   * being deleted, and there is nothing worth compacting in a one-commit repository.
   */
  private static void disableAutoGc(Repository db) {
    try {
      StoredConfig config = db.getConfig();
      config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
      config.setBoolean(
          ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
      config.save();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<String> readFile(
      String repo, Repository db, ObjectId commitId, String path) throws GitAccessException {
    try (RevWalk walk = new RevWalk(db)) {
      RevCommit commit = walk.parseCommit(commitId);
      try (TreeWalk tree = TreeWalk.forPath(db, path, commit.getTree())) {
        // A directory or submodule at that path is not a file the caller could parse.
        if (tree == null
            || (tree.getFileMode(0).getBits() & FileMode.TYPE_MASK) != FileMode.TYPE_FILE) {
          return Optional.empty();
        }
        byte[] content =
            db.open(tree.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(MAX_FILE_BYTES);
        return Optional.of(new String(content, StandardCharsets.UTF_8));
      }
    } catch (LargeObjectException e) {
      throw new GitAccessException(
          repo,
          Reason.PROTOCOL,
          path + " at " + commitId.name() + " is larger than " + MAX_FILE_BYTES + " bytes",
          e);
    } catch (IOException e) {
      throw new GitAccessException(
          repo,
          Reason.PROTOCOL,
          "fetched commit " + commitId.name() + " cannot be read: " + e.getMessage(),
          e);
    }
  }

  private Path createScratchRepository(String repo) throws GitAccessException {
    try {
      Path parent = scratchDir.orElse(Path.of(System.getProperty("java.io.tmpdir")));
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, "branchyard-fetch-");
    } catch (IOException e) {
      throw new GitAccessException(
          repo,
          Reason.PROTOCOL,
          "cannot create a scratch repository: "
              + e.getMessage()
              + "; check branchyard.git.scratch-dir",
          e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY);
    } catch (IOException e) {
      // The read itself succeeded or failed on its own; a leftover temp dir is only worth a note.
      LOG.warnf("could not delete scratch repository %s: %s", dir, e.getMessage());
    }
  }
}
