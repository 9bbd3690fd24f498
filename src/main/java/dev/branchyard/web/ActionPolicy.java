package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.github.RepoPermissions.Permission;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may act on an environment from its page, and how to say why not: a GitHub login with write
 * (or more) permission on the environment's repository, as {@code /branchyard} commands require.
 */
@Pure
public final class ActionPolicy {

  private ActionPolicy() {}

  /** What GitHub said about the viewer's permission. */
  public sealed interface PermissionCheck {
    /** GitHub answered. */
    record Answered(Permission permission) implements PermissionCheck {}

    /** Branchyard has no way to ask GitHub (no GitHub access configured). */
    record NoSource() implements PermissionCheck {}

    /** GitHub could not tell now. */
    record Unavailable(String why) implements PermissionCheck {}
  }

  /**
   * The verdict.
   *
   * @param allowed whether the action may go ahead
   * @param reason why not, for people; null when allowed
   */
  public record Verdict(boolean allowed, String reason) {}

  /** Why nobody can act when no OAuth app is configured. */
  public static final String LOGIN_NOT_CONFIGURED =
      "Actions are unavailable here: this Branchyard has no GitHub OAuth app configured, so nobody"
          + " can log in. An operator enables login with quarkus.oidc.tenant-enabled=true,"
          + " quarkus.oidc.client-id and quarkus.oidc.credentials.secret (see docs/web.md)."
          + " Meanwhile, comment /branchyard extend 4h, rebuild or destroy on the pull request.";

  /**
   * @param loginConfigured whether a GitHub OAuth app is configured
   * @param login the viewer's login, empty when anonymous
   * @param repo the environment's repository
   * @param deleting whether the environment is already being torn down
   * @param check what GitHub said about the viewer's permission (only asked when logged in)
   */
  public static Verdict decide(
      boolean loginConfigured,
      Optional<String> login,
      String repo,
      boolean deleting,
      Optional<PermissionCheck> check) {
    if (!loginConfigured) {
      return new Verdict(false, LOGIN_NOT_CONFIGURED);
    }
    if (login.isEmpty()) {
      return new Verdict(
          false,
          "Log in with GitHub to extend, rebuild or destroy this environment; it takes write"
              + " permission on "
              + repo
              + ".");
    }
    if (deleting) {
      return new Verdict(false, "This environment is being torn down; nothing more to do.");
    }
    PermissionCheck answer =
        check.orElse(new PermissionCheck.Unavailable("the permission was not checked"));
    if (answer instanceof PermissionCheck.NoSource) {
      return new Verdict(
          false,
          "Actions are unavailable: this Branchyard has no GitHub access configured to check your"
              + " permission on "
              + repo
              + ".");
    }
    if (answer instanceof PermissionCheck.Unavailable unavailable) {
      return new Verdict(
          false,
          "GitHub cannot tell your permission on "
              + repo
              + " right now ("
              + unavailable.why()
              + "); try again in a minute.");
    }
    Permission permission = ((PermissionCheck.Answered) answer).permission();
    if (!permission.canWrite()) {
      return new Verdict(
          false,
          login.get()
              + " has "
              + (permission == Permission.NONE ? "no" : permission.name().toLowerCase(Locale.ROOT))
              + " permission on "
              + repo
              + "; extend, rebuild and destroy need write, maintain or admin.");
    }
    return new Verdict(true, null);
  }
}
