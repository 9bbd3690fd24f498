package dev.branchyard.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the commit of every component of a stack for one trigger, from the refs each repo
 * advertises. The rules, in order:
 *
 * <ol>
 *   <li>A component in the triggering repo (compared as {@link RepoId}s, so {@code acme/api} and
 *       {@code https://github.com/acme/api.git} match) runs the PR's head commit, even if pinned:
 *       testing that commit is what the environment is for.
 *   <li>A pinned component runs its pin: a full SHA as is (whether or not a ref points at it); a
 *       name that is a tag, the tag; else the branch of that name. Tags win over branches of the
 *       same name, as in {@code git rev-parse}; {@code refs/heads/x} or {@code refs/tags/x} says
 *       which explicitly.
 *   <li>Otherwise the branch named like the PR's branch, if the repo has it.
 *   <li>Otherwise the first existing branch of the component's fallback chain ({@code base} being
 *       the PR's base branch).
 * </ol>
 */
public final class RefMatcher {

  /** How many available branch or tag names an error lists before "and N more". */
  static final int LISTED_NAMES = 10;

  /**
   * Resolves every component.
   *
   * @param refs what each repo advertises, keyed by the repo as the spec names it (other spellings
   *     of the same repo are found too)
   */
  public RefMatchResult match(StackSpec spec, RefRequest request, Map<String, RemoteRefs> refs) {
    List<ResolvedComponent> resolved = new ArrayList<>();
    List<RefMatchError> errors = new ArrayList<>();
    for (ComponentSpec component : spec.components()) {
      Outcome outcome = resolve(spec, component, request, refs);
      if (outcome.resolved() != null) {
        resolved.add(outcome.resolved());
      } else {
        errors.add(new RefMatchError(component.name(), component.repo(), outcome.error()));
      }
    }
    return errors.isEmpty()
        ? new RefMatchResult.Resolved(resolved)
        : new RefMatchResult.Unresolved(errors);
  }

  private record Outcome(ResolvedComponent resolved, String error) {
    static Outcome error(String message) {
      return new Outcome(null, message);
    }
  }

  private Outcome resolve(
      StackSpec spec, ComponentSpec component, RefRequest request, Map<String, RemoteRefs> refs) {
    if (RepoId.same(component.repo(), request.repo())) {
      return found(
          component,
          ResolvedRefKind.PullRequestHead,
          request.branch(),
          request.headSha().toLowerCase(Locale.ROOT),
          "the pull request's head commit on '" + request.branch() + "'");
    }
    if (component.ref() instanceof RefPolicy.Pinned pinned && GitNames.isFullSha(pinned.ref())) {
      String sha = pinned.ref().toLowerCase(Locale.ROOT);
      return found(component, ResolvedRefKind.Commit, sha, sha, "pinned to commit " + sha);
    }
    Optional<RemoteRefs> remote = refsOf(component.repo(), refs);
    if (remote.isEmpty()) {
      return Outcome.error("its refs were not listed, so no branch or tag can be chosen");
    }
    if (component.ref() instanceof RefPolicy.Pinned pinned) {
      return pinned(component, pinned.ref(), remote.get());
    }
    return followBranch(component, spec.fallbackFor(component), request, remote.get());
  }

  private Outcome pinned(ComponentSpec component, String pin, RemoteRefs remote) {
    if (pin.startsWith("refs/tags/")) {
      String tag = pin.substring("refs/tags/".length());
      return Optional.ofNullable(remote.tags().get(tag))
          .map(
              sha -> found(component, ResolvedRefKind.Tag, tag, sha, "pinned to tag '" + tag + "'"))
          .orElseGet(
              () ->
                  Outcome.error(
                      "no tag '" + tag + "'; " + available("tags", remote.tags().keySet())));
    }
    if (pin.startsWith("refs/heads/")) {
      String branch = pin.substring("refs/heads/".length());
      return Optional.ofNullable(remote.branches().get(branch))
          .map(
              sha ->
                  found(
                      component,
                      ResolvedRefKind.Branch,
                      branch,
                      sha,
                      "pinned to branch '" + branch + "'"))
          .orElseGet(
              () ->
                  Outcome.error(
                      "no branch '"
                          + branch
                          + "'; "
                          + available("branches", remote.branches().keySet())));
    }
    String tagSha = remote.tags().get(pin);
    if (tagSha != null) {
      String shadowed =
          remote.branches().containsKey(pin)
              ? " (a branch of that name exists too; pin refs/heads/" + pin + " to use it)"
              : "";
      return found(
          component, ResolvedRefKind.Tag, pin, tagSha, "pinned to tag '" + pin + "'" + shadowed);
    }
    String branchSha = remote.branches().get(pin);
    if (branchSha != null) {
      return found(
          component, ResolvedRefKind.Branch, pin, branchSha, "pinned to branch '" + pin + "'");
    }
    return Outcome.error(
        "pinned to '"
            + pin
            + "', which is neither a tag nor a branch; "
            + available("tags", remote.tags().keySet())
            + "; "
            + available("branches", remote.branches().keySet()));
  }

  private Outcome followBranch(
      ComponentSpec component, List<FallbackStep> chain, RefRequest request, RemoteRefs remote) {
    String prBranch = request.branch();
    String sha = remote.branches().get(prBranch);
    if (sha != null) {
      return found(
          component,
          ResolvedRefKind.Branch,
          prBranch,
          sha,
          "branch '" + prBranch + "', named like the pull request's branch");
    }
    List<String> tried = new ArrayList<>();
    tried.add("no branch '" + prBranch + "'");
    Set<String> triedNames = new LinkedHashSet<>(List.of(prBranch));
    for (FallbackStep step : chain) {
      Optional<String> branch =
          step instanceof FallbackStep.Branch named
              ? Optional.of(named.name())
              : request.baseBranch();
      String label = step instanceof FallbackStep.Base ? "base branch " : "";
      if (branch.isEmpty()) {
        tried.add("no base branch (not a pull request)");
        continue;
      }
      if (!triedNames.add(branch.get())) {
        continue;
      }
      String fallbackSha = remote.branches().get(branch.get());
      if (fallbackSha != null) {
        return found(
            component,
            ResolvedRefKind.Branch,
            branch.get(),
            fallbackSha,
            String.join(", ", tried) + "; fell back to " + label + "'" + branch.get() + "'");
      }
      tried.add("no " + label + "'" + branch.get() + "'");
    }
    return Outcome.error(
        String.join(", ", tried) + "; " + available("branches", remote.branches().keySet()));
  }

  private static Outcome found(
      ComponentSpec component, ResolvedRefKind kind, String refName, String sha, String reason) {
    return new Outcome(
        new ResolvedComponent(component.name(), component.repo(), kind, refName, sha, reason),
        null);
  }

  private static Optional<RemoteRefs> refsOf(String repo, Map<String, RemoteRefs> refs) {
    RemoteRefs exact = refs.get(repo);
    if (exact != null) {
      return Optional.of(exact);
    }
    return refs.entrySet().stream()
        .filter(entry -> RepoId.same(entry.getKey(), repo))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  private static String available(String what, Set<String> names) {
    if (names.isEmpty()) {
      return "the repo has no " + what;
    }
    List<String> sorted = names.stream().sorted().toList();
    String listed = String.join(", ", sorted.subList(0, Math.min(LISTED_NAMES, sorted.size())));
    int more = sorted.size() - LISTED_NAMES;
    return what + " available: " + listed + (more > 0 ? " and " + more + " more" : "");
  }
}
