package dev.branchyard.chatops;

import dev.branchyard.github.EnvironmentIntent;
import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.github.PullRequestEvents;
import dev.branchyard.github.PullRequestLookup;
import dev.branchyard.github.PullRequestLookup.PullRequestInfo;
import dev.branchyard.github.PullRequestLookup.PullRequestNotFoundException;
import dev.branchyard.github.RepoPermissions;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNames;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Selector;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.ExtensionRefusedException;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.spec.DurationText;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.StackSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Carries out a chat command on one pull request's environments, for a GitHub login, whichever
 * front end it came from (PR comment or Slack). Mutating commands ({@code up}, {@code down}, {@code
 * extend}, {@code rebuild}, {@code ok-to-test}) need the login's write permission (or more) on the
 * repository, as GitHub reports it; {@code status} and {@code help} are for anyone. Every change
 * goes through {@link EnvironmentRequests}; the answer says what happened or precisely why not.
 */
@ApplicationScoped
public class EnvironmentCommands {

  private static final Logger LOG = Logger.getLogger(EnvironmentCommands.class);

  private final RepoPermissions permissions;
  private final PullRequestLookup pullRequests;
  private final EnvironmentRequests environments;
  private final ForkApprovals approvals;
  private final SpecCatalog specs;
  private final Clock clock;
  private final String publicUrl;

  public EnvironmentCommands(
      RepoPermissions permissions,
      PullRequestLookup pullRequests,
      EnvironmentRequests environments,
      ForkApprovals approvals,
      SpecCatalog specs,
      Clock clock,
      @ConfigProperty(name = "branchyard.web.public-url", defaultValue = "http://127.0.0.1:8080")
          String publicUrl) {
    this.permissions = permissions;
    this.pullRequests = pullRequests;
    this.environments = environments;
    this.approvals = approvals;
    this.specs = specs;
    this.clock = clock;
    this.publicUrl = publicUrl.replaceAll("/+$", "");
  }

  /**
   * Runs {@code command} on pull request {@code number} of {@code repo} as {@code login}.
   *
   * @param repo the repository, {@code owner/name}, as GitHub spells it
   * @param login the GitHub login the command runs as (the commenter, or the Slack user's mapping)
   */
  public CommandReply run(String repo, int number, String login, ChatCommand command) {
    String what = "`" + words(command) + "`";
    try {
      if (command instanceof ChatCommand.Help) {
        return CommandReply.done(help());
      }
      if (command instanceof ChatCommand.Status) {
        return status(repo, number);
      }
      Optional<CommandReply> refusal = refuseWithoutWrite(repo, login, what);
      if (refusal.isPresent()) {
        return refusal.get();
      }
      return mutate(repo, number, login, command);
    } catch (GitHubUnavailableException e) {
      return CommandReply.failed(
          what
              + " was not carried out: GitHub did not answer ("
              + e.getMessage()
              + "). Try again.");
    } catch (RuntimeException e) {
      LOG.warnf(e, "%s on %s#%d by %s failed", what, repo, number, login);
      return CommandReply.failed(
          what + " failed: " + e.getMessage() + ". Nothing more was done; try again.");
    }
  }

  /** The help as a PR reply: in a code block, so its command lines are not commands themselves. */
  static String help() {
    return "How to write commands:\n```\n" + HelpText.text() + "\n```";
  }

  private CommandReply mutate(String repo, int number, String login, ChatCommand command) {
    if (command instanceof ChatCommand.Up) {
      return up(repo, number, login);
    }
    if (command instanceof ChatCommand.OkToTest) {
      return okToTest(repo, number, login);
    }
    if (command instanceof ChatCommand.Down) {
      return down(repo, number, login);
    }
    if (command instanceof ChatCommand.Extend extend) {
      return extend(repo, number, login, extend.by());
    }
    if (command instanceof ChatCommand.Rebuild rebuild) {
      return rebuild(repo, number, login, rebuild.component());
    }
    throw new IllegalArgumentException("not a mutating command: " + words(command));
  }

  /** The command as typed, normalized: {@code extend 8h}, {@code rebuild api}. */
  static String words(ChatCommand command) {
    if (command instanceof ChatCommand.Extend extend) {
      return "extend " + DurationText.format(extend.by());
    }
    if (command instanceof ChatCommand.Rebuild rebuild) {
      return "rebuild" + rebuild.component().map(c -> " " + c).orElse("");
    }
    if (command instanceof ChatCommand.Up) {
      return "up";
    }
    if (command instanceof ChatCommand.Down) {
      return "down";
    }
    if (command instanceof ChatCommand.Status) {
      return "status";
    }
    if (command instanceof ChatCommand.OkToTest) {
      return "ok-to-test";
    }
    return "help";
  }

  private Optional<CommandReply> refuseWithoutWrite(String repo, String login, String what) {
    Permission permission;
    try {
      permission = permissions.permission(repo, login);
    } catch (GitHubUnavailableException e) {
      return Optional.of(
          CommandReply.failed(
              what
                  + " was not carried out: GitHub could not tell @"
                  + login
                  + "'s permission on "
                  + repo
                  + " ("
                  + e.getMessage()
                  + "). Try again."));
    }
    if (permission.canWrite()) {
      return Optional.empty();
    }
    String has =
        permission == Permission.NONE
            ? "has no permission on " + repo + " (not a collaborator)"
            : "has " + permission.name().toLowerCase(Locale.ROOT) + " permission on " + repo;
    return Optional.of(
        CommandReply.refused(
            "@"
                + login
                + " cannot run "
                + what
                + ": it needs write permission (or maintain or admin) on "
                + repo
                + ", and @"
                + login
                + " "
                + has
                + ". Anyone may run `status` and `help`."));
  }

  private CommandReply up(String repo, int number, String login) {
    Optional<PullRequestInfo> info = lookUp(repo, number);
    if (info.isEmpty()) {
      return notFound(repo, number);
    }
    PullRequestInfo pr = info.get();
    Matching matching = matching(pr);
    if (matching.upserts().isEmpty()) {
      return noStackMatches(pr, matching);
    }
    List<EnvironmentIntent.Upsert> wanted = matching.upserts();
    if (pr.fork()) {
      wanted = wanted.stream().filter(this::approved).toList();
      if (wanted.isEmpty()) {
        return CommandReply.refused(
            "#"
                + number
                + " comes from a fork ("
                + pr.branch()
                + " lives in another repository), so it gets no environment until a"
                + " maintainer with write permission has read its code and approved it with"
                + " `/branchyard ok-to-test`.");
      }
    }
    List<String> lines = new ArrayList<>();
    for (EnvironmentIntent.Upsert upsert : wanted) {
      lines.add(upsert(pr, upsert, login));
    }
    return CommandReply.done("`up` on #" + number + ":\n" + String.join("\n", lines));
  }

  private CommandReply okToTest(String repo, int number, String login) {
    Optional<PullRequestInfo> info = lookUp(repo, number);
    if (info.isEmpty()) {
      return notFound(repo, number);
    }
    PullRequestInfo pr = info.get();
    Matching matching = matching(pr);
    if (matching.upserts().isEmpty()) {
      return noStackMatches(pr, matching);
    }
    List<String> lines = new ArrayList<>();
    for (EnvironmentIntent.Upsert upsert : matching.upserts()) {
      String line = upsert(pr, upsert, login);
      if (pr.fork()) {
        approvals.approve(nameOf(upsert), login);
      }
      lines.add(line);
    }
    String heading =
        pr.fork()
            ? "Approved by @"
                + login
                + ": #"
                + number
                + " from a fork runs at "
                + shortSha(pr.headSha())
                + " without the stack's secrets (no copied secrets, no secret build args)."
                + " Later pushes to it update its environments.\n"
            : "#"
                + number
                + " is not from a fork, so it needs no approval; its environments were brought"
                + " up as with `up`.\n";
    return CommandReply.done(heading + String.join("\n", lines));
  }

  private String upsert(PullRequestInfo pr, EnvironmentIntent.Upsert upsert, String login) {
    String name = nameOf(upsert);
    Trigger trigger =
        new Trigger(
            TriggerSource.Chat,
            upsert.repo(),
            upsert.prNumber(),
            upsert.branch(),
            upsert.baseBranch(),
            upsert.headSha(),
            login,
            upsert.fork());
    Upserted upserted;
    try {
      upserted =
          environments.upsert(
              new EnvironmentRequests.Upsert(
                  upsert.specName(), trigger, Optional.empty(), pr.updatedAt()));
    } catch (IllegalStateException e) {
      return "- `" + name + "`: not changed: " + e.getMessage();
    }
    String sha = shortSha(upsert.headSha());
    String outcome =
        switch (upserted.outcome()) {
          case CREATED -> "created at " + sha;
          case UPDATED -> "moved to " + sha;
          case UNCHANGED -> "already at " + sha;
          case STALE -> "left as is: it already follows a newer request than this one";
        };
    return "- `"
        + upserted.name()
        + "` ("
        + upsert.specName()
        + "): "
        + outcome
        + "; "
        + page(upserted.name());
  }

  private CommandReply down(String repo, int number, String login) {
    List<String> destroyed =
        environments.destroy(
            Selector.pullRequest(repo, number), "/branchyard down on #" + number, login);
    if (destroyed.isEmpty()) {
      return CommandReply.done("`down`: #" + number + " has no environments; nothing to destroy.");
    }
    return CommandReply.done(
        "`down` on #"
            + number
            + ": destroying "
            + destroyed.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "))
            + ". `/branchyard up` brings them back.");
  }

  private CommandReply extend(String repo, int number, String login, Duration by) {
    List<Environment> found = environments.find(Selector.pullRequest(repo, number));
    String what = "`extend " + DurationText.format(by) + "`";
    if (found.isEmpty()) {
      return noEnvironments(what, number);
    }
    List<String> lines = new ArrayList<>();
    int extended = 0;
    for (Environment environment : found) {
      String name = environment.getMetadata().getName();
      try {
        Instant until = environments.extend(name, by, login);
        lines.add("- `" + name + "`: now expires " + when(until));
        extended++;
      } catch (ExtensionRefusedException e) {
        lines.add("- `" + name + "`: not extended: " + e.getMessage());
      } catch (EnvironmentNotFoundException e) {
        lines.add("- `" + name + "`: gone meanwhile");
      }
    }
    String text = what + " on #" + number + ":\n" + String.join("\n", lines);
    return extended > 0 ? CommandReply.done(text) : CommandReply.refused(text);
  }

  private CommandReply rebuild(String repo, int number, String login, Optional<String> component) {
    List<Environment> found = environments.find(Selector.pullRequest(repo, number));
    String what = "`rebuild" + component.map(c -> " " + c).orElse("") + "`";
    if (found.isEmpty()) {
      return noEnvironments(what, number);
    }
    List<String> lines = new ArrayList<>();
    int rebuilding = 0;
    for (Environment environment : found) {
      String name = environment.getMetadata().getName();
      try {
        environments.rebuild(name, component, login);
        lines.add(
            "- `"
                + name
                + "`: rebuilding "
                + component.map(c -> "`" + c + "`").orElse("every component with a build")
                + "; "
                + page(name));
        rebuilding++;
      } catch (EnvironmentNotFoundException e) {
        lines.add("- `" + name + "`: gone meanwhile");
      } catch (IllegalArgumentException e) {
        lines.add("- `" + name + "`: not rebuilt: " + e.getMessage());
      }
    }
    String text = what + " on #" + number + ":\n" + String.join("\n", lines);
    return rebuilding > 0 ? CommandReply.done(text) : CommandReply.refused(text);
  }

  private CommandReply status(String repo, int number) {
    List<Environment> found = environments.find(Selector.pullRequest(repo, number));
    if (found.isEmpty()) {
      return CommandReply.done(
          "#"
              + number
              + " of "
              + repo
              + " has no environments. `/branchyard up` creates them (write permission needed).");
    }
    List<String> lines = new ArrayList<>();
    for (Environment environment : found) {
      lines.add(describe(environment));
    }
    return CommandReply.done("Environments of #" + number + ":\n" + String.join("\n", lines));
  }

  private String describe(Environment environment) {
    String name = environment.getMetadata().getName();
    EnvironmentStatus status = environment.getStatus();
    StringBuilder line = new StringBuilder("- `").append(name).append("`: ");
    if (status == null || status.phase() == null) {
      line.append("Pending (not picked up by the controller yet)");
    } else {
      line.append(status.phase());
      if (status.queuePosition() != null) {
        line.append(" (position ").append(status.queuePosition()).append(" in the queue)");
      }
    }
    Optional.ofNullable(environment.getSpec())
        .map(spec -> spec.trigger().headSha())
        .ifPresent(sha -> line.append(" at ").append(shortSha(sha)));
    if (status != null && status.url() != null) {
      line.append(", ").append(status.url());
    }
    expiry(environment).ifPresent(at -> line.append(", expires ").append(when(at)));
    if (status != null && status.message() != null && !status.message().isBlank()) {
      line.append(": ").append(status.message().strip());
    }
    if (approvedBy(environment).isPresent()) {
      line.append(" (fork, approved by @").append(approvedBy(environment).get()).append(")");
    }
    return line.append("; ").append(page(name)).toString();
  }

  private Optional<Instant> expiry(Environment environment) {
    Optional<Instant> status =
        Optional.ofNullable(environment.getStatus())
            .map(EnvironmentStatus::expiresAt)
            .flatMap(EnvironmentCommands::instant);
    Optional<Instant> extended =
        annotation(environment, EnvironmentRequests.EXPIRES_AT_ANNOTATION)
            .flatMap(EnvironmentCommands::instant);
    if (status.isPresent() && extended.isPresent()) {
      return Optional.of(extended.get().isAfter(status.get()) ? extended.get() : status.get());
    }
    return status.or(() -> extended);
  }

  private String when(Instant at) {
    Duration left = Duration.between(clock.instant(), at).truncatedTo(ChronoUnit.MINUTES);
    String in = left.isNegative() || left.isZero() ? "now" : "in " + DurationText.format(left);
    return at.truncatedTo(ChronoUnit.MINUTES) + " (" + in + ")";
  }

  private String page(String name) {
    return "status page: " + publicUrl + "/environments/" + name;
  }

  private Optional<PullRequestInfo> lookUp(String repo, int number) {
    try {
      return Optional.of(pullRequests.pullRequest(repo, number));
    } catch (PullRequestNotFoundException e) {
      return Optional.empty();
    }
  }

  private static CommandReply notFound(String repo, int number) {
    return CommandReply.refused(
        "GitHub knows no pull request #"
            + number
            + " in "
            + repo
            + " (or Branchyard cannot see it).");
  }

  private static CommandReply noEnvironments(String what, int number) {
    return CommandReply.refused(
        what
            + ": #"
            + number
            + " has no environments. `/branchyard up` creates them; `/branchyard status` shows"
            + " what there is.");
  }

  private CommandReply noStackMatches(PullRequestInfo pr, Matching matching) {
    return CommandReply.refused(
        "No environment for #"
            + pr.number()
            + ": no stack's triggers match it.\n"
            + matching.reasons().stream().map(r -> "- " + r).collect(Collectors.joining("\n")));
  }

  private Matching matching(PullRequestInfo pr) {
    List<StackSpec> stacks = specs.all().stream().map(LoadedSpec::spec).toList();
    List<EnvironmentIntent.Upsert> upserts = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (EnvironmentIntent intent : PullRequestEvents.requested(pr, stacks)) {
      if (intent instanceof EnvironmentIntent.Upsert upsert) {
        upserts.add(upsert);
      } else if (intent instanceof EnvironmentIntent.Ignore ignore) {
        reasons.add(ignore.reason());
      } else if (intent instanceof EnvironmentIntent.Destroy destroy) {
        reasons.add(destroy.reason());
      }
    }
    return new Matching(upserts, reasons);
  }

  private boolean approved(EnvironmentIntent.Upsert upsert) {
    return environments.get(nameOf(upsert)).flatMap(EnvironmentCommands::approvedBy).isPresent();
  }

  private static Optional<String> approvedBy(Environment environment) {
    return annotation(environment, EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION);
  }

  private static String nameOf(EnvironmentIntent.Upsert upsert) {
    return EnvironmentNames.forPullRequest(upsert.specName(), upsert.repo(), upsert.prNumber());
  }

  private static Optional<String> annotation(Environment environment, String key) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String shortSha(String sha) {
    return sha.length() > 7 ? sha.substring(0, 7) : sha;
  }

  /** The stacks a pull request starts, and why the others do not. */
  private record Matching(List<EnvironmentIntent.Upsert> upserts, List<String> reasons) {}
}
