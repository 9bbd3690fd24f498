package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.web.ActionPolicy.PermissionCheck;
import dev.branchyard.web.ActionPolicy.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ActionPolicyTest {

  private static Verdict decide(Optional<String> login, PermissionCheck check) {
    return ActionPolicy.decide(true, login, "acme/shop", false, Optional.of(check));
  }

  @Test
  void allowsWriteMaintainAndAdmin() {
    for (Permission p :
        new Permission[] {Permission.WRITE, Permission.MAINTAIN, Permission.ADMIN}) {
      assertThat(decide(Optional.of("alice"), new PermissionCheck.Answered(p)).allowed()).isTrue();
    }
  }

  @Test
  void refusesReadPermissionSayingWhatIsNeeded() {
    Verdict verdict = decide(Optional.of("bob"), new PermissionCheck.Answered(Permission.READ));
    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("bob has read permission on acme/shop").contains("write");
  }

  @Test
  void refusesAnonymousViewersAskingThemToLogIn() {
    Verdict verdict =
        ActionPolicy.decide(true, Optional.empty(), "acme/shop", false, Optional.empty());
    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).startsWith("Log in with GitHub");
  }

  @Test
  void explainsHowToConfigureLoginWhenThereIsNoOAuthApp() {
    Verdict verdict =
        ActionPolicy.decide(false, Optional.of("alice"), "acme/shop", false, Optional.empty());
    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).isEqualTo(ActionPolicy.LOGIN_NOT_CONFIGURED);
  }

  @Test
  void neverAssumesAPermissionGitHubCouldNotTell() {
    Verdict verdict =
        decide(Optional.of("alice"), new PermissionCheck.Unavailable("rate limited until 08:00"));
    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("rate limited until 08:00");
    assertThat(decide(Optional.of("alice"), new PermissionCheck.NoSource()).allowed()).isFalse();
  }

  @Test
  void refusesActionsOnAnEnvironmentBeingTornDown() {
    Verdict verdict =
        ActionPolicy.decide(
            true,
            Optional.of("alice"),
            "acme/shop",
            true,
            Optional.of(new PermissionCheck.Answered(Permission.ADMIN)));
    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("torn down");
  }
}
