package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
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

  private final JGitTransport transport;
  private final Optional<Path> scratchDir;

  public JGitFiles(GitConfig config) {
    this.transport = new JGitTransport(config);
    this.scratchDir = config.scratchDir();
  }

  @Override
  public Optional<String> read(String repo, String commit, String path) throws GitAccessException {
    Path gitDir = createScratchRepository(repo);
    try {
      return transport.withCommit(
          repo, commit, gitDir, (db, commitId) -> readFile(repo, db, commitId, path));
    } finally {
      deleteQuietly(gitDir);
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
