package dev.branchyard.github;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kohsuke.github.GHCommitState;
import org.kohsuke.github.GHDeployment;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GHRepository;

/**
 * {@link GitHubFeedback} on GitHub's REST API through github-api. The sticky comment is found by
 * its marker among the pull request's comments the first time (so a restarted Branchyard edits the
 * comment it wrote before) and remembered; a deployment is found by commit and environment name
 * before one is created.
 */
public class GitHubRestFeedback implements GitHubFeedback {

  private final GitHubConnections connections;
  private final RawRequests raw;
  private final Map<String, GHIssueComment> comments = new ConcurrentHashMap<>();
  private final Map<String, GHDeployment> deployments = new ConcurrentHashMap<>();

  GitHubRestFeedback(GitHubConnections connections) {
    this.connections = connections;
    this.raw = new RawRequests(connections);
  }

  @Override
  public void send(Update update) {
    if (update instanceof CommitStatus status) {
      commitStatus(status);
    } else if (update instanceof StickyComment comment) {
      stickyComment(comment);
    } else if (update instanceof DeploymentStatus deployment) {
      deploymentStatus(deployment);
    }
  }

  private void commitStatus(CommitStatus status) {
    GHRepository repository = connections.repository(status.repo());
    try {
      repository.createCommitStatus(
          status.sha(),
          GHCommitState.valueOf(status.state().name()),
          status.targetUrl(),
          status.description(),
          status.context());
    } catch (IOException e) {
      throw connections
          .errors()
          .translate("set status " + status.context() + " on " + status.sha(), e);
    }
  }

  private void stickyComment(StickyComment comment) {
    String key = comment.repo() + "#" + comment.number() + comment.marker();
    String what = "update the Branchyard comment on " + comment.repo() + "#" + comment.number();
    GHIssueComment known = comments.get(key);
    if (known != null) {
      try {
        known.update(comment.body());
        return;
      } catch (IOException e) {
        RuntimeException failure = connections.errors().translate(what, e);
        if (!(failure instanceof GitHubNotFoundException)) {
          throw failure;
        }
        // Someone deleted it: look again, and write a new one if it is really gone.
        comments.remove(key);
      }
    }
    GHRepository repository = connections.repository(comment.repo());
    try {
      GHIssue issue = repository.getIssue(comment.number());
      for (GHIssueComment existing : issue.listComments().withPageSize(100)) {
        String body = existing.getBody();
        if (body != null && body.contains(comment.marker())) {
          if (!body.equals(comment.body())) {
            existing.update(comment.body());
          }
          comments.put(key, existing);
          return;
        }
      }
      comments.put(key, issue.comment(comment.body()));
    } catch (IOException e) {
      throw connections.errors().translate(what, e);
    }
  }

  private void deploymentStatus(DeploymentStatus status) {
    String key = status.repo() + "|" + status.environment() + "|" + status.sha();
    String what =
        "report deployment "
            + status.state().name().toLowerCase(Locale.ROOT)
            + " of "
            + status.environment()
            + " at "
            + status.sha();
    GHRepository repository = connections.repository(status.repo());
    GHDeployment deployment = deployments.get(key);
    try {
      if (deployment == null) {
        for (GHDeployment existing :
            repository
                .listDeployments(status.sha(), null, null, status.environment())
                .withPageSize(10)) {
          deployment = existing;
          break;
        }
      }
      if (deployment == null) {
        if (status.state() == DeploymentState.INACTIVE) {
          return;
        }
        deployment =
            repository
                .createDeployment(status.sha())
                .environment(status.environment())
                .description("Branchyard environment " + status.environment())
                .autoMerge(false)
                // Branchyard's own pending commit status must not block the deployment.
                .requiredContexts(List.of())
                .transientEnvironment(true)
                .productionEnvironment(false)
                .create();
      }
      deployments.put(key, deployment);
    } catch (IOException e) {
      throw connections.errors().translate(what, e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", status.state().name().toLowerCase(Locale.ROOT));
    if (status.description() != null) {
      body.put("description", status.description());
    }
    if (status.logUrl() != null) {
      body.put("log_url", status.logUrl());
    }
    if (status.environmentUrl() != null) {
      body.put("environment_url", status.environmentUrl());
    }
    raw.post(
        status.repo(),
        "/repos/" + status.repo() + "/deployments/" + deployment.getId() + "/statuses",
        body,
        what);
  }
}
