package dev.branchyard.git;

import java.nio.file.Path;

/** Writes the files of one commit of a repository into a directory: a build's context. */
public interface GitCheckout {

  /**
   * Writes the tree of {@code commit} into {@code target} (created if missing), without a {@code
   * .git} directory: the result is a build context, not a working copy.
   *
   * @param repo the repository as a spec names it: a git URL or GitHub {@code owner/name}
   * @param commit the full 40-hex commit SHA
   * @throws GitAccessException if the commit cannot be fetched or its files cannot be written
   */
  void checkout(String repo, String commit, Path target) throws GitAccessException;
}
