package dev.branchyard.chatops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of chat commands (PR comments and the Slack slash command), prefix {@code
 * branchyard.chatops}.
 */
@ConfigMapping(prefix = "branchyard.chatops")
public interface ChatopsConfig {

  /** The {@code /branchyard} Slack slash command. */
  Slack slack();

  /** Settings of the Slack front end. */
  interface Slack {

    /**
     * The Slack app's signing secret ("Basic Information" in the app's settings); every request's
     * {@code X-Slack-Signature} is checked against it. Unset: Slack requests are refused.
     */
    Optional<String> signingSecret();

    /**
     * How far a request's {@code X-Slack-Request-Timestamp} may be from Branchyard's clock, in
     * either direction, before the request is refused as a possible replay. Slack recommends five
     * minutes.
     */
    @WithDefault("5m")
    Duration replayWindow();

    /**
     * Who is who: Slack user id (e.g. {@code U2CERLKJA}) to GitHub login, e.g. {@code
     * branchyard.chatops.slack.users.U2CERLKJA=octocat}. A Slack command acts as that GitHub login,
     * so it is checked against the login's permission on the repo just like a PR comment.
     */
    Map<String, String> users();
  }
}
