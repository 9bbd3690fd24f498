package dev.branchyard.git;

import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.RefMatchError;
import dev.branchyard.spec.RefMatchResult;
import dev.branchyard.spec.RefMatcher;
import dev.branchyard.spec.RefPolicy;
import dev.branchyard.spec.RefRequest;
import dev.branchyard.spec.RepoId;
import dev.branchyard.spec.StackSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Resolves every component of a stack to an exact commit: lists the refs of the repos that need it
 * (in parallel, cached) and applies the spec's ref policy. A repo that cannot be read fails only
 * the components that use it, with the reason (not found, auth, network, timeout).
 */
@ApplicationScoped
public class StackResolver {

  private final RefResolver refResolver;
  private final RefMatcher matcher;

  public StackResolver(RefResolver refResolver) {
    this.refResolver = refResolver;
    this.matcher = new RefMatcher();
  }

  /** The commit of each component, or every component that could not be resolved and why. */
  public RefMatchResult resolve(StackSpec spec, RefRequest request) {
    RefResolution listed = refResolver.resolveAll(reposToList(spec, request));
    RefMatchResult matched = matcher.match(spec, request, listed.refs());
    if (matched instanceof RefMatchResult.Unresolved unresolved) {
      return new RefMatchResult.Unresolved(
          unresolved.errors().stream().map(e -> explain(e, listed.failures())).toList());
    }
    return matched;
  }

  /**
   * Every repo whose refs decide a component's commit. Not listed: the triggering repo (it gets the
   * PR's head commit) and repos pinned to a full SHA (the SHA is the answer).
   */
  static Set<String> reposToList(StackSpec spec, RefRequest request) {
    Set<String> repos = new LinkedHashSet<>();
    for (ComponentSpec component : spec.components()) {
      boolean triggering = RepoId.same(component.repo(), request.repo());
      boolean pinnedToSha = component.ref() instanceof RefPolicy.Pinned pinned && pinned.isCommit();
      if (!triggering && !pinnedToSha) {
        repos.add(component.repo());
      }
    }
    return repos;
  }

  private static RefMatchError explain(
      RefMatchError error, Map<String, GitAccessException> failures) {
    GitAccessException failure = failures.get(error.repo());
    if (failure == null) {
      return error;
    }
    return new RefMatchError(
        error.component(),
        error.repo(),
        "cannot list its refs (" + failure.reason() + "): " + failure.getMessage());
  }
}
