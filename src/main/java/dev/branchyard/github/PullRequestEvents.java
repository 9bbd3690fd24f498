package dev.branchyard.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.branchyard.Pure;
import dev.branchyard.github.EnvironmentIntent.Destroy;
import dev.branchyard.github.EnvironmentIntent.Ignore;
import dev.branchyard.github.EnvironmentIntent.Upsert;
import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.RepoId;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.spec.Triggers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Turns a GitHub webhook event ({@code X-GitHub-Event} name and parsed body) into what it means for
 * environments, judged against every loaded spec's {@code triggers}: one pull request may start
 * environments of several stacks.
 *
 * <ul>
 *   <li>{@code opened}, {@code reopened}, {@code synchronize}, {@code ready_for_review}: an {@link
 *       Upsert} per stack whose triggers match.
 *   <li>{@code closed}: one {@link Destroy} of every environment of the PR.
 *   <li>{@code labeled}: an {@link Upsert} for stacks that require the added label, if the rest
 *       matches too; {@code unlabeled}: a {@link Destroy} for stacks that required the removed
 *       label when no other required label remains.
 *   <li>{@code edited} with a new base branch: triggers judged again, {@link Upsert} or {@link
 *       Destroy} per stack; {@code converted_to_draft}: a {@link Destroy} for stacks without {@code
 *       drafts: true}.
 * </ul>
 *
 * Everything else, and each stack that does not apply, gives an {@link Ignore} saying why. Fork PRs
 * get {@code needsApproval}: nothing runs before a maintainer's {@code /branchyard ok-to-test}.
 * Malformed payloads are ignored with the missing fields named, never thrown on.
 */
@Pure
public final class PullRequestEvents {

  /** The header naming a delivery's event, e.g. {@code pull_request}. */
  public static final String EVENT_HEADER = "X-GitHub-Event";

  private PullRequestEvents() {}

  /**
   * What an event means for environments.
   *
   * @param event the {@code X-GitHub-Event} header's value
   * @param body the delivery's JSON body
   * @param specs the environment specs in use
   * @return at least one intent: per stack for changes a stack's triggers decide, else one
   */
  public static List<EnvironmentIntent> intents(
      String event, JsonNode body, List<StackSpec> specs) {
    return switch (event) {
      case "pull_request" -> pullRequest(body, specs);
      case "ping" -> List.of(new Ignore("ping: GitHub checking that the webhook is reachable"));
      case "issue_comment" ->
          List.of(new Ignore("issue_comment: comments are chat commands, not triggers"));
      default -> List.of(new Ignore("event '" + event + "' does not start or stop environments"));
    };
  }

  /**
   * What asking for a pull request's environments outright (the chat command {@code up}, or {@code
   * ok-to-test}) means, judged by the same triggers as a webhook's {@code opened}: an {@link
   * Upsert} per stack whose triggers match the pull request as GitHub has it now, an {@link Ignore}
   * saying why for every other stack.
   */
  public static List<EnvironmentIntent> requested(
      PullRequestLookup.PullRequestInfo info, List<StackSpec> specs) {
    if (!info.open()) {
      return List.of(new Ignore("pull request #" + info.number() + " is closed"));
    }
    if (specs.isEmpty()) {
      return List.of(new Ignore("no environment specs are loaded"));
    }
    PullRequest pr =
        new PullRequest(
            info.repo(),
            info.number(),
            info.branch(),
            info.baseBranch(),
            info.headSha(),
            info.author(),
            info.fork(),
            info.draft(),
            false,
            false,
            info.labels());
    return evaluate(pr, specs);
  }

  private static List<EnvironmentIntent> pullRequest(JsonNode body, List<StackSpec> specs) {
    List<String> missing = new ArrayList<>();
    String action = text(body, "/action", missing);
    PullRequest pr = PullRequest.read(body, missing);
    if (!missing.isEmpty()) {
      return List.of(
          new Ignore("malformed pull_request payload: no " + String.join(", ", missing)));
    }
    if (action.equals("closed")) {
      return List.of(
          new Destroy(
              Optional.empty(),
              pr.repo(),
              pr.number(),
              pr.merged() ? "pull request merged" : "pull request closed"));
    }
    if (pr.closed()) {
      return List.of(new Ignore("pull request #" + pr.number() + " is closed (" + action + ")"));
    }
    if (specs.isEmpty()) {
      return List.of(new Ignore("no environment specs are loaded"));
    }
    return switch (action) {
      case "opened", "reopened", "synchronize", "ready_for_review" -> evaluate(pr, specs);
      case "labeled" -> labeled(body, pr, specs);
      case "unlabeled" -> unlabeled(body, pr, specs);
      case "edited" ->
          body.at("/changes/base").isObject()
              ? baseChanged(body, pr, specs)
              : List.of(new Ignore("edited: only the title or description changed"));
      case "converted_to_draft" -> convertedToDraft(pr, specs);
      default ->
          List.of(new Ignore("pull_request action '" + action + "' does not affect environments"));
    };
  }

  private static List<EnvironmentIntent> evaluate(PullRequest pr, List<StackSpec> specs) {
    return specs.stream()
        .map(
            spec ->
                mismatch(spec, pr)
                    .<EnvironmentIntent>map(Ignore::new)
                    .orElseGet(() -> pr.upsert(spec.name())))
        .toList();
  }

  private static List<EnvironmentIntent> labeled(
      JsonNode body, PullRequest pr, List<StackSpec> specs) {
    List<String> missing = new ArrayList<>();
    String label = text(body, "/label/name", missing);
    if (!missing.isEmpty()) {
      return List.of(new Ignore("malformed labeled payload: no label.name"));
    }
    List<EnvironmentIntent> intents = new ArrayList<>();
    for (StackSpec spec : specs) {
      if (!containsIgnoringCase(spec.triggers().labels(), label)) {
        intents.add(
            new Ignore(spec.name() + ": label '" + label + "' does not start its environments"));
      } else {
        intents.add(
            mismatch(spec, pr)
                .<EnvironmentIntent>map(Ignore::new)
                .orElseGet(() -> pr.upsert(spec.name())));
      }
    }
    return intents;
  }

  private static List<EnvironmentIntent> unlabeled(
      JsonNode body, PullRequest pr, List<StackSpec> specs) {
    List<String> missing = new ArrayList<>();
    String label = text(body, "/label/name", missing);
    if (!missing.isEmpty()) {
      return List.of(new Ignore("malformed unlabeled payload: no label.name"));
    }
    List<EnvironmentIntent> intents = new ArrayList<>();
    for (StackSpec spec : specs) {
      List<String> required = spec.triggers().labels();
      if (!containsIgnoringCase(required, label) || !triggeredBy(spec, pr.repo())) {
        intents.add(
            new Ignore(spec.name() + ": label '" + label + "' is not one its environments need"));
      } else if (pr.labels().stream().anyMatch(l -> containsIgnoringCase(required, l))) {
        intents.add(new Ignore(spec.name() + ": the pull request still has a required label"));
      } else {
        intents.add(
            new Destroy(
                Optional.of(spec.name()),
                pr.repo(),
                pr.number(),
                "label '" + label + "' removed; " + needsOneOf(required)));
      }
    }
    return intents;
  }

  private static List<EnvironmentIntent> baseChanged(
      JsonNode body, PullRequest pr, List<StackSpec> specs) {
    String from = body.at("/changes/base/ref/from").asText("?");
    List<EnvironmentIntent> intents = new ArrayList<>();
    for (StackSpec spec : specs) {
      if (!triggeredBy(spec, pr.repo())) {
        intents.add(new Ignore(notTriggeringRepo(spec, pr.repo())));
        continue;
      }
      Optional<String> mismatch = mismatch(spec, pr);
      intents.add(
          mismatch.isEmpty()
              ? pr.upsert(spec.name())
              : new Destroy(
                  Optional.of(spec.name()),
                  pr.repo(),
                  pr.number(),
                  "base branch changed from '"
                      + from
                      + "' to '"
                      + pr.baseBranch()
                      + "'; "
                      + mismatch.get()));
    }
    return intents;
  }

  private static List<EnvironmentIntent> convertedToDraft(PullRequest pr, List<StackSpec> specs) {
    List<EnvironmentIntent> intents = new ArrayList<>();
    for (StackSpec spec : specs) {
      if (!triggeredBy(spec, pr.repo())) {
        intents.add(new Ignore(notTriggeringRepo(spec, pr.repo())));
      } else if (spec.triggers().drafts()) {
        intents.add(new Ignore(spec.name() + ": draft pull requests keep their environments"));
      } else {
        intents.add(
            new Destroy(
                Optional.of(spec.name()),
                pr.repo(),
                pr.number(),
                "converted to draft; drafts get no environment"));
      }
    }
    return intents;
  }

  /** Why a stack's triggers do not match the PR, or empty when they do. */
  private static Optional<String> mismatch(StackSpec spec, PullRequest pr) {
    Triggers triggers = spec.triggers();
    if (!triggeredBy(spec, pr.repo())) {
      return Optional.of(notTriggeringRepo(spec, pr.repo()));
    }
    if (pr.draft() && !triggers.drafts()) {
      return Optional.of(spec.name() + ": draft pull requests get no environment");
    }
    if (!triggers.baseBranches().isEmpty()
        && triggers.baseBranches().stream()
            .noneMatch(glob -> BranchGlob.of(glob).matches(pr.baseBranch()))) {
      return Optional.of(
          spec.name()
              + ": base branch '"
              + pr.baseBranch()
              + "' matches none of "
              + String.join(", ", triggers.baseBranches()));
    }
    if (!triggers.labels().isEmpty()
        && pr.labels().stream().noneMatch(l -> containsIgnoringCase(triggers.labels(), l))) {
      return Optional.of(spec.name() + ": " + needsOneOf(triggers.labels()));
    }
    return Optional.empty();
  }

  /** Whether PRs (and pushes) of {@code repo} concern the stack: it is among its trigger repos. */
  static boolean triggeredBy(StackSpec spec, String repo) {
    return triggeringRepos(spec).stream().anyMatch(r -> RepoId.same(r, repo));
  }

  /** The spec's trigger repos; the parser fills in every component's repo when it sets none. */
  private static List<String> triggeringRepos(StackSpec spec) {
    List<String> repos = spec.triggers().repos();
    return repos.isEmpty()
        ? spec.components().stream().map(ComponentSpec::repo).distinct().toList()
        : repos;
  }

  private static String notTriggeringRepo(StackSpec spec, String repo) {
    return spec.name()
        + ": "
        + repo
        + " is not among the repos that trigger it ("
        + String.join(", ", triggeringRepos(spec))
        + ")";
  }

  private static String needsOneOf(List<String> labels) {
    return labels.size() == 1
        ? "needs the label '" + labels.get(0) + "'"
        : "needs one of the labels " + String.join(", ", labels);
  }

  private static boolean containsIgnoringCase(List<String> labels, String label) {
    // GitHub treats label names case-insensitively: "Preview" and "preview" cannot coexist.
    String wanted = label.toLowerCase(Locale.ROOT);
    return labels.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).equals(wanted));
  }

  private static String text(JsonNode body, String pointer, List<String> missing) {
    JsonNode node = body.at(pointer);
    if (!node.isTextual() || node.asText().isEmpty()) {
      missing.add(pointer.substring(1).replace('/', '.'));
      return "";
    }
    return node.asText();
  }

  /** The fields of a {@code pull_request} payload that environments depend on. */
  private record PullRequest(
      String repo,
      int number,
      String branch,
      String baseBranch,
      String headSha,
      String author,
      boolean fork,
      boolean draft,
      boolean closed,
      boolean merged,
      List<String> labels) {

    static PullRequest read(JsonNode body, List<String> missing) {
      JsonNode number = body.at("/pull_request/number");
      if (!number.canConvertToInt() || !number.isIntegralNumber()) {
        missing.add("pull_request.number");
      }
      String baseRepo = text(body, "/pull_request/base/repo/full_name", missing);
      // A fork that was deleted leaves head.repo null: unknown code, so treated as a fork.
      JsonNode headRepo = body.at("/pull_request/head/repo/full_name");
      boolean fork = !headRepo.isTextual() || !RepoId.same(headRepo.asText(), baseRepo);
      JsonNode repository = body.at("/repository/full_name");
      List<String> labels =
          StreamSupport.stream(body.at("/pull_request/labels").spliterator(), false)
              .map(label -> label.path("name").asText(""))
              .filter(name -> !name.isEmpty())
              .toList();
      return new PullRequest(
          repository.isTextual() ? repository.asText() : baseRepo,
          number.asInt(),
          text(body, "/pull_request/head/ref", missing),
          text(body, "/pull_request/base/ref", missing),
          text(body, "/pull_request/head/sha", missing),
          text(body, "/pull_request/user/login", missing),
          fork,
          body.at("/pull_request/draft").asBoolean(false),
          body.at("/pull_request/state").asText("open").equals("closed"),
          body.at("/pull_request/merged").asBoolean(false),
          labels);
    }

    Upsert upsert(String specName) {
      return new Upsert(
          specName, repo, number, branch, baseBranch, headSha, author, fork, draft, labels, fork);
    }
  }
}
