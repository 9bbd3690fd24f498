package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildLogFixtures;
import dev.branchyard.build.BuildLogStore;
import dev.branchyard.build.BuildLogWriter;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.testing.HeadlessChromium;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The status pages in Debian's headless chromium, against the running application on the local
 * control plane. No controller runs: the tests create Environments and patch their status as the
 * controller would, and watch the pages follow without a reload. GitHub login goes through {@link
 * GitHubOAuthStandIn} (WireMock playing GitHub's OAuth endpoints); repo permissions come from
 * {@link FixedRepoPermissions} (alice may write, everyone else only read). Screenshots of every
 * page are kept in {@code target/screenshots/}.
 */
@QuarkusTest
@TestProfile(WebPagesBrowserIT.OnLocalPlatformWithGitHubLogin.class)
class WebPagesBrowserIT {

  static final String NAMESPACE = "webpages-it";
  private static final Duration LIVE = Duration.ofSeconds(20);

  /** The local platform, Branchyard's namespace {@value #NAMESPACE}, GitHub login stand-in. */
  public static class OnLocalPlatformWithGitHubLogin implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(LocalPlatformResource.class),
          new TestResourceEntry(GitHubOAuthStandIn.class));
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(FixedRepoPermissions.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.namespace", NAMESPACE,
          "branchyard.build.logs.flush-interval", "200ms",
          "branchyard.web.pages.workload-refresh", "2s");
    }
  }

  private static KubernetesClient admin;

  @Inject BuildLogStore logs;

  @Inject EnvironmentRequests requests;

  @TestHTTPResource("/")
  URI app;

  private HeadlessChromium browser;

  @BeforeAll
  static void namespace() {
    admin = LocalPlatform.get().newClient();
    BuildLogFixtures.ensureNamespace(admin, NAMESPACE);
  }

  @AfterAll
  static void deleteWhatTheTestsMade() {
    // The namespace may be shared with a later run on the same platform: delete only our objects.
    admin.resources(Environment.class).inNamespace(NAMESPACE).delete();
    admin.resources(ImageBuild.class).inNamespace(NAMESPACE).delete();
    admin.close();
  }

  @BeforeEach
  void openBrowser() {
    browser = HeadlessChromium.start(1280, 1600);
  }

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  @Test
  void listPageShowsANewEnvironmentWithoutAReload() {
    WebDriver page = browser.driver();
    page.get(app.resolve("/environments").toString());
    markPage();

    String name = create("list", null).getMetadata().getName();

    await("the new environment in the list")
        .atMost(LIVE)
        .until(() -> !page.findElements(By.id("env-" + name)).isEmpty());
    WebElement row = page.findElement(By.id("env-" + name));
    assertThat(row.getText()).contains("Pending").contains("shop");
    assertThat(marker()).as("the page was not reloaded").isEqualTo("kept");
    browser.screenshot("environments");
  }

  @Test
  void environmentPageFollowsPhaseChangesLive() {
    Environment environment = create("phases", null);
    String name = environment.getMetadata().getName();
    WebDriver page = browser.driver();
    page.get(app.resolve("/environments/" + name).toString());
    assertThat(text("phase")).isEqualTo("Pending");
    markPage();

    setStatus(name, status(EnvironmentPhase.Building, name, Instant.now().plusSeconds(3600)));
    await("Building shown").atMost(LIVE).until(() -> "Building".equals(text("phase")));
    assertThat(page.findElement(By.id("components")).getText())
        .contains("web")
        .contains("pull request head");

    EnvironmentStatus ready = status(EnvironmentPhase.Ready, name, Instant.now().plusSeconds(3600));
    setStatus(name, ready);
    await("Ready shown").atMost(LIVE).until(() -> "Ready".equals(text("phase")));
    await("announced to screen readers")
        .atMost(LIVE)
        .until(
            () ->
                page.findElement(By.id("announcer"))
                    .getAttribute("textContent")
                    .contains("is now Ready"));
    assertThat(page.findElement(By.id("urls")).getText()).contains(ready.url());
    assertThat(marker()).as("the page was not reloaded").isEqualTo("kept");
    browser.screenshot("environment");
  }

  @Test
  void buildLogViewerStreamsTheLogAsTheBuildWritesIt() {
    String id = shortId();
    ImageBuild build = BuildLogFixtures.createBuild(admin, NAMESPACE, "webpages-log-" + id);
    String buildName = build.getMetadata().getName();
    Environment environment = create("log", null);
    String name = environment.getMetadata().getName();
    setStatus(
        name,
        PageFixtures.building(
            status(EnvironmentPhase.Building, name, Instant.now().plusSeconds(3600)),
            buildName,
            ImageBuildPhase.Building));
    BuildLogWriter log = logs.open(build, 1);
    log.line("STEP 1/2: FROM scratch");

    WebDriver page = browser.driver();
    page.get(app.resolve("/environments/" + name).toString());
    WebElement viewer = page.findElement(By.id("log-" + buildName));
    viewer.findElement(By.tagName("summary")).click();
    WebElement pre = viewer.findElement(By.cssSelector("pre.log"));
    await("first line").atMost(LIVE).until(() -> pre.getText().contains("STEP 1/2: FROM scratch"));

    log.line("STEP 2/2: COPY hello /hello");
    await("a line written after opening")
        .atMost(LIVE)
        .until(() -> pre.getText().contains("STEP 2/2: COPY hello /hello"));
    log.close();
    await("end of log").atMost(LIVE).until(() -> pre.getText().contains("end of log"));
    browser.screenshot("environment-build-log");
  }

  @Test
  void authorisedUserExtendsRebuildsAndDestroys() {
    Instant expires = Instant.now().plusSeconds(3600);
    Environment environment = create("actions", null);
    String name = environment.getMetadata().getName();
    setStatus(name, status(EnvironmentPhase.Ready, name, expires));

    logIn("alice", "/environments/" + name);
    WebDriver page = browser.driver();
    assertThat(text("viewer")).isEqualTo("alice");
    WebElement by = page.findElement(By.id("extend-by"));
    by.clear();
    by.sendKeys("2h");
    browser.screenshot("environment-logged-in");
    page.findElement(By.id("extend")).click();

    await("extension notice")
        .atMost(LIVE)
        .until(() -> text("notice").contains("Extension recorded"));
    Instant extended =
        Instant.parse(annotations(name).get(EnvironmentRequests.EXPIRES_AT_ANNOTATION));
    assertThat(extended).isBetween(expires.plusSeconds(7200 - 5), expires.plusSeconds(7200 + 5));
    assertThat(page.findElement(By.id("expiry")).getText()).contains("extended");

    new Select(page.findElement(By.id("rebuild-component"))).selectByValue("web");
    page.findElement(By.id("rebuild")).click();
    await("rebuild notice").atMost(LIVE).until(() -> text("notice").contains("Rebuild requested"));
    assertThat(annotations(name).get(EnvironmentRequests.REBUILD_ANNOTATION)).endsWith(";web");

    page.findElement(By.cssSelector("#actions details.danger-zone summary")).click();
    page.findElement(By.id("destroy")).click();
    await("back on the list")
        .atMost(LIVE)
        .until(() -> text("notice").contains("Deletion of " + name));
    await("environment deleted")
        .atMost(LIVE)
        .until(
            () ->
                admin.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get()
                    == null);
    browser.screenshot("environments-after-destroy");
  }

  @Test
  void anonymousAndReadOnlyUsersAreRefused() {
    Environment environment = create("refused", null);
    String name = environment.getMetadata().getName();
    setStatus(name, status(EnvironmentPhase.Ready, name, Instant.now().plusSeconds(3600)));
    WebDriver page = browser.driver();
    page.get(app.resolve("/environments/" + name).toString());

    assertThat(text("actions-unavailable")).startsWith("Log in with GitHub");
    assertThat(page.findElements(By.id("extend-form"))).isEmpty();
    assertThat(page.findElements(By.id("actions-login"))).hasSize(1);
    browser.screenshot("environment-anonymous");
    assertThat(post("/environments/" + name + "/extend", "by=4h&csrf=forged")).isEqualTo(401);
    assertThat(post("/environments/" + name + "/destroy", "csrf=forged")).isEqualTo(401);

    logIn("mallory", "/environments/" + name);
    assertThat(text("actions-unavailable"))
        .contains("mallory has read permission on")
        .contains("write");
    // The logout form carries mallory's real CSRF token: the permission check still refuses.
    String token =
        page.findElement(By.cssSelector("form[action='/logout'] input[name=csrf]"))
            .getAttribute("value");
    assertThat(post("/environments/" + name + "/extend", "by=4h&csrf=" + token)).isEqualTo(403);
    assertThat(post("/environments/" + name + "/destroy", "csrf=" + token)).isEqualTo(403);

    assertThat(annotations(name)).doesNotContainKey(EnvironmentRequests.EXPIRES_AT_ANNOTATION);
    assertThat(admin.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get())
        .isNotNull();
  }

  @Test
  void authorisedUserWithAForgedTokenIsRefused() {
    Environment environment = create("csrf", null);
    String name = environment.getMetadata().getName();
    logIn("alice", "/environments/" + name);
    assertThat(post("/environments/" + name + "/extend", "by=4h&csrf=forged")).isEqualTo(403);
    assertThat(post("/environments/" + name + "/destroy", "csrf=")).isEqualTo(403);
    assertThat(annotations(name)).doesNotContainKey(EnvironmentRequests.EXPIRES_AT_ANNOTATION);
  }

  @Test
  void environmentPageFitsAPhoneScreen() {
    Environment environment = create("phone", null);
    String name = environment.getMetadata().getName();
    setStatus(name, status(EnvironmentPhase.Ready, name, Instant.now().plusSeconds(3600)));
    try (HeadlessChromium phone = HeadlessChromium.start(390, 844)) {
      phone.driver().get(app.resolve("/environments/" + name).toString());
      Object overflow =
          phone
              .driver()
              .executeScript(
                  "return document.documentElement.scrollWidth > window.innerWidth + 1;");
      phone.screenshot("environment-phone");
      assertThat(overflow).as("the page scrolls sideways on a phone").isEqualTo(false);
      phone.driver().get(app.resolve("/environments").toString());
      phone.screenshot("environments-phone");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A new environment of stack shop, asked for through the application's own port. */
  private Environment create(String purpose, EnvironmentStatus status) {
    String repo = "acme/webpages-" + purpose + "-" + shortId();
    String name =
        requests
            .upsert(
                new EnvironmentRequests.Upsert(
                    "shop", PageFixtures.trigger(repo, 12), Optional.empty(), Instant.now()))
            .name();
    if (status != null) {
      setStatus(name, status);
    }
    return admin.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static EnvironmentStatus status(EnvironmentPhase phase, String name, Instant expires) {
    return PageFixtures.expiring(PageFixtures.status(phase, "acme/shop", 3, name), expires);
  }

  private static void setStatus(String name, EnvironmentStatus status) {
    admin
        .resources(Environment.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .editStatus(
            e -> {
              e.setStatus(status);
              return e;
            });
  }

  private static Map<String, String> annotations(String name) {
    Map<String, String> annotations =
        admin
            .resources(Environment.class)
            .inNamespace(NAMESPACE)
            .withName(name)
            .get()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /** Signs in on the GitHub stand-in as {@code login} and lands on {@code then}. */
  private void logIn(String login, String then) {
    WebDriver page = browser.driver();
    page.get(app.resolve("/login?then=" + then).toString());
    await("GitHub's sign-in page")
        .atMost(LIVE)
        .until(() -> !page.findElements(By.id("login_field")).isEmpty());
    if ("alice".equals(login)) {
      browser.screenshot("github-sign-in-stand-in");
    }
    page.findElement(By.id("login_field")).sendKeys(login);
    page.findElement(By.id("authorize")).click();
    await("back on " + then + " as " + login)
        .atMost(LIVE)
        .until(
            () ->
                URI.create(page.getCurrentUrl()).getPath().equals(then)
                    && !page.findElements(By.id("viewer")).isEmpty());
    assertThat(text("viewer")).isEqualTo(login);
  }

  /** POSTs a form from the page's origin with the browser's cookies; the HTTP status. */
  private int post(String path, String body) {
    Object status =
        ((JavascriptExecutor) browser.driver())
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch(arguments[0], {method: 'POST', redirect: 'manual',"
                    + " headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
                    + " body: arguments[1]}).then(r => done(r.status), e => done(-1));",
                path,
                body);
    return ((Number) status).intValue();
  }

  private String text(String id) {
    return browser.driver().findElement(By.id(id)).getText();
  }

  private void markPage() {
    ((JavascriptExecutor) browser.driver()).executeScript("window.branchyardMarker = 'kept';");
  }

  private Object marker() {
    return ((JavascriptExecutor) browser.driver()).executeScript("return window.branchyardMarker;");
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
