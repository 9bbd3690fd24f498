package dev.branchyard.web;

import dev.branchyard.github.RepoPermissions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/**
 * A test double of GitHub's permission answer, enabled only by test profiles that list it: alice
 * may write every repository, anyone else only read.
 */
@Alternative
@ApplicationScoped
public class FixedRepoPermissions implements RepoPermissions {

  @Override
  public Permission permission(String repo, String login) {
    return "alice".equals(login) ? Permission.WRITE : Permission.READ;
  }
}
