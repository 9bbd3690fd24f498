package dev.branchyard.chatops;

import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.github.PullRequestLookup;
import dev.branchyard.github.PullRequestReplies;
import dev.branchyard.github.RepoPermissions;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.ExtensionRefusedException;
import dev.branchyard.lifecycle.KubernetesEnvironmentRequests;
import dev.branchyard.spec.DurationText;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory stand-ins for the ports chat commands use, so their logic is tested without GitHub or
 * Kubernetes. Each records what it was asked, so tests can check that a refused command changed
 * nothing.
 */
final class ChatopsFakes {

  static final String REPO = "acme/shop-web";
  static final String HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  static final String PUSHED = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  static final Instant UPDATED = Instant.parse("2026-12-02T06:00:00Z");

  private ChatopsFakes() {}

  /**
   * Stack {@code shop} (components web and api of acme/shop-web, max TTL 1d) and stack {@code
   * labelled} (acme/shop-web too, only with the label {@code preview}).
   */
  static SpecCatalog catalog(Clock clock) {
    SpecParser parser = new SpecParser();
    SpecCatalog catalog = new SpecCatalog(clock);
    catalog.apply(
        "test",
        SourceSnapshot.atRevision(
            "r1",
            List.of(
                parser.parse(
                    "shop.yaml",
                    """
                    name: shop
                    components:
                      - name: web
                        repo: acme/shop-web
                        deploy:
                          manifests: shop/web
                      - name: api
                        repo: acme/shop-web
                        deploy:
                          manifests: shop/api
                    ttl:
                      default: 8h
                      max: 1d
                    """),
                parser.parse(
                    "labelled.yaml",
                    """
                    name: labelled
                    components:
                      - name: web
                        repo: acme/shop-web
                        deploy:
                          manifests: shop/web
                    triggers:
                      labels: [preview]
                    """))));
    return catalog;
  }

  static PullRequestLookup.PullRequestInfo pullRequest(int number, boolean fork) {
    return new PullRequestLookup.PullRequestInfo(
        REPO,
        number,
        HEAD,
        "feature/remember-address",
        "main",
        "octocat",
        fork,
        false,
        true,
        List.of(),
        UPDATED);
  }

  /** Permissions by login; everyone else is {@code NONE}. */
  static final class Permissions implements RepoPermissions {
    final Map<String, Permission> byLogin = new HashMap<>();
    final List<String> asked = new ArrayList<>();
    boolean unavailable;

    Permissions with(String login, Permission permission) {
      byLogin.put(login, permission);
      return this;
    }

    @Override
    public Permission permission(String repo, String login) {
      asked.add(login);
      if (unavailable) {
        throw new GitHubUnavailableException("GitHub answered 502", null);
      }
      return byLogin.getOrDefault(login, Permission.NONE);
    }
  }

  /** Pull requests by number. */
  static final class PullRequests implements PullRequestLookup {
    final Map<Integer, PullRequestInfo> byNumber = new HashMap<>();

    PullRequests with(PullRequestInfo info) {
      byNumber.put(info.number(), info);
      return this;
    }

    @Override
    public PullRequestInfo pullRequest(String repo, int number) {
      PullRequestInfo info = byNumber.get(number);
      if (info == null || !info.repo().equalsIgnoreCase(repo)) {
        throw new PullRequestNotFoundException(repo, number);
      }
      return info;
    }
  }

  /** The reactions and replies posted. */
  static final class Replies implements PullRequestReplies {
    final List<String> replies = new ArrayList<>();
    final List<String> reactions = new ArrayList<>();
    boolean unavailable;

    @Override
    public void reply(String repo, int number, String markdown) {
      if (unavailable) {
        throw new GitHubUnavailableException("GitHub answered 503", null);
      }
      replies.add(markdown);
    }

    @Override
    public void react(String repo, long commentId, String content) {
      if (unavailable) {
        throw new GitHubUnavailableException("GitHub answered 503", null);
      }
      reactions.add(commentId + ":" + content);
    }
  }

  /**
   * Environments in a map. Extensions are refused past {@code maxExpiry}, like the stack's max TTL;
   * rebuilds know the components {@code web} and {@code api}.
   */
  static final class Environments implements EnvironmentRequests {
    final Map<String, Environment> byName = new LinkedHashMap<>();
    final List<String> changes = new ArrayList<>();
    final Clock clock;
    Instant maxExpiry;

    Environments(Clock clock) {
      this.clock = clock;
      this.maxExpiry = clock.instant().plus(Duration.ofDays(1));
    }

    @Override
    public Upserted upsert(Upsert request) {
      String name = KubernetesEnvironmentRequests.nameFor(request.specName(), request.trigger());
      changes.add("upsert " + name + " " + request.trigger().headSha());
      Environment existing = byName.get(name);
      EnvironmentSpec spec = new EnvironmentSpec(request.specName(), request.trigger(), null);
      if (existing == null) {
        Environment created = new Environment(name, spec);
        created
            .getMetadata()
            .setLabels(Map.of(PULL_REQUEST_LABEL, "" + request.trigger().pullRequest()));
        created
            .getMetadata()
            .setAnnotations(new HashMap<>(Map.of(REPO_ANNOTATION, request.trigger().repo())));
        byName.put(name, created);
        return new Upserted(name, Upserted.Outcome.CREATED);
      }
      boolean moved = !existing.getSpec().trigger().headSha().equals(request.trigger().headSha());
      existing.setSpec(spec);
      return new Upserted(name, moved ? Upserted.Outcome.UPDATED : Upserted.Outcome.UNCHANGED);
    }

    @Override
    public List<String> destroy(Selector selector, String reason, String requestedBy) {
      List<String> names = find(selector).stream().map(e -> e.getMetadata().getName()).toList();
      names.forEach(byName::remove);
      changes.add("destroy " + names + " by " + requestedBy);
      return names;
    }

    @Override
    public Instant extend(String name, Duration by, String requestedBy) {
      Environment environment = require(name);
      Instant current = Instant.parse(environment.getStatus().expiresAt());
      Instant until = current.plus(by);
      if (until.isAfter(maxExpiry)) {
        throw new ExtensionRefusedException(
            "the stack's max TTL ends at "
                + maxExpiry
                + "; at most "
                + DurationText.format(Duration.between(current, maxExpiry))
                + " more is possible");
      }
      changes.add("extend " + name + " by " + DurationText.format(by) + " by " + requestedBy);
      environment.getMetadata().getAnnotations().put(EXPIRES_AT_ANNOTATION, until.toString());
      return until;
    }

    @Override
    public void rebuild(String name, Optional<String> component, String requestedBy) {
      require(name);
      if (component.isPresent() && !Set.of("web", "api").contains(component.get())) {
        throw new IllegalArgumentException(
            "stack shop has no component '" + component.get() + "'; its components are web, api");
      }
      changes.add("rebuild " + name + " " + component.orElse("*") + " by " + requestedBy);
    }

    @Override
    public Optional<Environment> get(String name) {
      return Optional.ofNullable(byName.get(name));
    }

    @Override
    public List<Environment> find(Selector selector) {
      return byName.values().stream()
          .filter(
              e ->
                  selector
                      .pullRequest()
                      .map(
                          n -> ("" + n).equals(e.getMetadata().getLabels().get(PULL_REQUEST_LABEL)))
                      .orElse(true))
          .filter(
              e ->
                  selector
                      .repo()
                      .map(r -> r.equals(e.getMetadata().getAnnotations().get(REPO_ANNOTATION)))
                      .orElse(true))
          .toList();
    }

    /** Puts the environment in a phase with a URL and an expiry, as the controller would. */
    void ready(String name, Instant expiresAt) {
      require(name)
          .setStatus(
              new EnvironmentStatus(
                  1L,
                  EnvironmentPhase.Ready,
                  null,
                  "by-" + name,
                  "https://" + name + ".preview.example.com",
                  List.of(),
                  expiresAt.toString(),
                  List.of(),
                  List.of(),
                  List.of(),
                  List.of(),
                  null,
                  null));
    }

    private Environment require(String name) {
      Environment environment = byName.get(name);
      if (environment == null) {
        throw new EnvironmentNotFoundException(name);
      }
      return environment;
    }
  }

  /** Writes the approval annotation on the fake environments. */
  static final class Approvals implements ForkApprovals {
    final Environments environments;

    Approvals(Environments environments) {
      this.environments = environments;
    }

    @Override
    public void approve(String environmentName, String login) {
      environments
          .get(environmentName)
          .orElseThrow(() -> new EnvironmentNotFoundException(environmentName))
          .getMetadata()
          .getAnnotations()
          .put(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, login);
      environments.changes.add("approve " + environmentName + " by " + login);
    }
  }
}
