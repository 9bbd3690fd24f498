package dev.branchyard.git;

import dev.branchyard.spec.RemoteRefs;

/**
 * Port: the refs a remote repository advertises, read without cloning it. Adapters resolve the
 * repository (git URL or GitHub {@code owner/name}) and credentials themselves.
 */
public interface GitRefs {

  /**
   * Lists the branches and (peeled) tags of a repository.
   *
   * @throws GitAccessException when the repository cannot be read; its message says which repo and
   *     why (not found, auth failed, network, timeout)
   */
  RemoteRefs list(String repo) throws GitAccessException;
}
