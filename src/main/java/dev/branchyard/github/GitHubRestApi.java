package dev.branchyard.github;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import org.kohsuke.github.GHCommitPointer;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHPermissionType;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GHUser;

/**
 * {@link RepoPermissions}, {@link PullRequestLookup} and {@link PullRequestReplies} on GitHub's
 * REST API through github-api. Every failure is one of: not found, {@link
 * GitHubUnavailableException} (or its {@link GitHubRateLimitedException}, {@link
 * GitHubRefusedException} and {@link GitHubNotConfiguredException}).
 */
public class GitHubRestApi implements RepoPermissions, PullRequestLookup, PullRequestReplies {

  private final GitHubConnections connections;

  GitHubRestApi(GitHubConnections connections) {
    this.connections = connections;
  }

  @Override
  public Permission permission(String repo, String login) {
    GHRepository repository = repository(repo);
    GHPermissionType type;
    try {
      type = repository.getPermission(login);
    } catch (IOException e) {
      RuntimeException failure =
          connections.errors().translate("read " + login + "'s permission on " + repo, e);
      if (failure instanceof GitHubNotFoundException) {
        return Permission.NONE;
      }
      throw failure;
    }
    return switch (type == null ? GHPermissionType.NONE : type) {
      case ADMIN -> Permission.ADMIN;
      case WRITE -> Permission.WRITE;
      case READ -> Permission.READ;
      case NONE, UNKNOWN -> Permission.NONE;
    };
  }

  @Override
  public PullRequestInfo pullRequest(String repo, int number) {
    GHRepository repository;
    GHPullRequest pr;
    try {
      repository = connections.repository(repo);
      pr = repository.getPullRequest(number);
    } catch (GitHubNotFoundException e) {
      throw new PullRequestNotFoundException(repo, number);
    } catch (IOException e) {
      RuntimeException failure =
          connections.errors().translate("read pull request " + repo + "#" + number, e);
      if (failure instanceof GitHubNotFoundException) {
        throw new PullRequestNotFoundException(repo, number);
      }
      throw failure;
    }
    try {
      GHCommitPointer head = pr.getHead();
      GHCommitPointer base = pr.getBase();
      GHRepository headRepo = head.getRepository();
      boolean fork =
          headRepo == null || !headRepo.getFullName().equalsIgnoreCase(repository.getFullName());
      GHUser author = pr.getUser();
      Date updated = pr.getUpdatedAt();
      return new PullRequestInfo(
          repository.getFullName(),
          pr.getNumber(),
          head.getSha(),
          head.getRef(),
          base.getRef(),
          author == null ? "ghost" : author.getLogin(),
          fork,
          pr.isDraft(),
          pr.getState() == GHIssueState.OPEN,
          pr.getLabels().stream().map(GHLabel::getName).toList(),
          updated == null ? Instant.EPOCH : updated.toInstant());
    } catch (IOException e) {
      throw connections.errors().translate("read pull request " + repo + "#" + number, e);
    }
  }

  @Override
  public void reply(String repo, int number, String markdown) {
    try {
      repository(repo).getIssue(number).comment(markdown);
    } catch (IOException e) {
      throw unavailable(connections.errors().translate("comment on " + repo + "#" + number, e));
    }
  }

  @Override
  public void react(String repo, long commentId, String content) {
    // github-api reads a comment only through its issue; GitHub's reaction endpoint needs just the
    // comment id, so this one call goes straight to the REST API.
    String what = "react " + content + " to comment " + commentId + " on " + repo;
    URI uri =
        URI.create(
            connections.apiUrl().toString().replaceAll("/+$", "")
                + "/repos/"
                + repo
                + "/issues/comments/"
                + commentId
                + "/reactions");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(connections.connector().timeout())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Content-Type", "application/json")
            .header("Authorization", connections.authorization(repo))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"content\":\"" + content.replaceAll("[^a-z0-9+-]", "") + "\"}"))
            .build();
    HttpResponse<String> response;
    try {
      response =
          connections.connector().client().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new GitHubUnavailableException("could not " + what + ": GitHub unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitHubUnavailableException("could not " + what + ": interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw unavailable(
          connections.errors().translate(what, response.statusCode(), response.headers().map()));
    }
  }

  /** The repository; one Branchyard cannot see is GitHub refusing the request. */
  private GHRepository repository(String repo) {
    try {
      return connections.repository(repo);
    } catch (GitHubNotFoundException e) {
      throw new GitHubRefusedException(
          "repository " + repo + " not found, or Branchyard's GitHub credentials cannot see it",
          404,
          e);
    }
  }

  /** For the reply ports, a missing issue or comment is GitHub refusing the request. */
  private static RuntimeException unavailable(RuntimeException failure) {
    if (failure instanceof GitHubNotFoundException notFound) {
      return new GitHubRefusedException(notFound.getMessage(), 404, notFound);
    }
    return failure;
  }
}
