package dev.branchyard.git;

import java.util.Optional;

/**
 * Port: one file of a remote repository at one commit (e.g. a repo's {@code .branchyard.yaml} at a
 * PR's head), read without cloning the repository.
 */
public interface GitFiles {

  /**
   * Reads a file as UTF-8 text.
   *
   * @param repo the repository as the spec names it (git URL or GitHub {@code owner/name})
   * @param commit the full 40-hex commit SHA
   * @param path the file's path from the repository root, e.g. {@code .branchyard.yaml}
   * @return the file's content, or empty when no file exists at that path in that commit
   * @throws GitAccessException when the repository or the commit cannot be read
   */
  Optional<String> read(String repo, String commit, String path) throws GitAccessException;
}
