package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FileUtils;

/**
 * {@link GitCheckout} over JGit: writes the commit's tree into the target from the repository's
 * local mirror ({@link GitMirrors}), which fetches the commit only if it lacks it. Writing the tree
 * ourselves keeps {@code .git} out of the build context and never needs a working-copy index.
 *
 * <p>With mirrors off ({@code branchyard.git.mirror.enabled=false}), or when another process uses
 * the mirror directory, each checkout fetches just the one commit (depth 1, no tags) into a bare
 * repository next to the target and deletes that repository afterwards.
 */
@ApplicationScoped
public class JGitCheckout implements GitCheckout {

  private final JGitTransport transport;
  private final Optional<GitMirrors> mirrors;

  @Inject
  public JGitCheckout(GitConfig config, Clock clock) {
    this.transport = new JGitTransport(config);
    GitConfig.Mirror mirror = config.mirror();
    this.mirrors =
        mirror.enabled()
            ? Optional.of(
                GitMirrors.inDirectory(
                    mirror
                        .dir()
                        .orElse(
                            Path.of(
                                System.getProperty("java.io.tmpdir"), "branchyard-git-mirrors")),
                    mirror.maxRepos(),
                    mirror.maxSize().asLongValue(),
                    clock))
            : Optional.empty();
  }

  public JGitCheckout(GitConfig config) {
    this(config, Clock.systemUTC());
  }

  @Override
  public void checkout(String repo, String commit, Path target) throws GitAccessException {
    if (mirrors.isPresent() && mirrors.get().available()) {
      mirrors
          .get()
          .withCommit(
              transport,
              repo,
              commit,
              (db, commitId) -> {
                writeTree(repo, db, commitId, target);
                return null;
              });
      return;
    }
    Path gitDir = target.resolveSibling(target.getFileName() + ".git");
    try {
      transport.withCommit(
          repo,
          commit,
          gitDir,
          (db, commitId) -> {
            writeTree(repo, db, commitId, target);
            return null;
          });
    } finally {
      try {
        FileUtils.delete(
            gitDir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
      } catch (IOException e) {
        // The checkout is done (or failed on its own); the caller deletes the parent directory.
      }
    }
  }

  private static void writeTree(String repo, Repository db, ObjectId commitId, Path target)
      throws GitAccessException {
    Path root = target.toAbsolutePath().normalize();
    try (RevWalk walk = new RevWalk(db);
        TreeWalk tree = new TreeWalk(db)) {
      Files.createDirectories(root);
      RevCommit commit = walk.parseCommit(commitId);
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        Path file = root.resolve(tree.getPathString()).normalize();
        // A crafted tree could name "../x"; nothing may land outside the build context.
        if (!file.startsWith(root)) {
          throw new GitAccessException(
              repo, Reason.PROTOCOL, "the commit names a path outside its tree: " + file, null);
        }
        FileMode mode = tree.getFileMode(0);
        Files.createDirectories(file.getParent());
        if (mode == FileMode.SYMLINK) {
          // A second pass over the same target (after a damaged mirror was fetched afresh) finds
          // the links of the first.
          Files.deleteIfExists(file);
          String link = new String(db.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
          Files.createSymbolicLink(file, Path.of(link));
        } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
          try (OutputStream out = Files.newOutputStream(file)) {
            db.open(tree.getObjectId(0)).copyTo(out);
          }
          if (mode == FileMode.EXECUTABLE_FILE) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(file, permissions);
          }
        }
        // Submodules (gitlinks) are not fetched: their commits live in other repositories.
      }
    } catch (IOException e) {
      throw new GitAccessException(
          repo,
          Reason.PROTOCOL,
          "commit " + commitId.name() + " cannot be written out: " + e.getMessage(),
          e);
    }
  }
}
