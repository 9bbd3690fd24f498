package dev.branchyard.web;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the pages and the fragments that live updates replace, from the Qute templates in {@code
 * src/main/resources/templates/}. quarkus-rest-qute is not available for the Quarkus version
 * Branchyard is built on, so resources get Strings from here.
 */
@ApplicationScoped
public class PageRenderer {

  private final Template environments;
  private final Template environmentRows;
  private final Template environment;
  private final Template environmentSummary;
  private final Template environmentComponents;
  private final Template environmentBuilds;
  private final Template environmentTimeline;
  private final Template message;

  public PageRenderer(
      @Location("environments.html") Template environments,
      @Location("environment-rows.html") Template environmentRows,
      @Location("environment.html") Template environment,
      @Location("environment-summary.html") Template environmentSummary,
      @Location("environment-components.html") Template environmentComponents,
      @Location("environment-builds.html") Template environmentBuilds,
      @Location("environment-timeline.html") Template environmentTimeline,
      @Location("message.html") Template message) {
    this.environments = environments;
    this.environmentRows = environmentRows;
    this.environment = environment;
    this.environmentSummary = environmentSummary;
    this.environmentComponents = environmentComponents;
    this.environmentBuilds = environmentBuilds;
    this.environmentTimeline = environmentTimeline;
    this.message = message;
  }

  public String list(ListPage list, PageChrome chrome) {
    return environments.data("list", list).data("chrome", chrome).render();
  }

  public String environment(EnvironmentPage page, PageActions actions, PageChrome chrome) {
    return environment.data("page", page).data("actions", actions).data("chrome", chrome).render();
  }

  public String message(String heading, String text, PageChrome chrome) {
    return message.data("heading", heading).data("text", text).data("chrome", chrome).render();
  }

  /** The parts of the list page a live update replaces, by element id. */
  public Map<String, String> listFragments(ListPage list) {
    return Map.of("rows", environmentRows.data("list", list).render());
  }

  /** The parts of an environment page a live update replaces, by element id. */
  public Map<String, String> environmentFragments(EnvironmentPage page) {
    Map<String, String> fragments = new LinkedHashMap<>();
    fragments.put("summary", environmentSummary.data("page", page).render());
    fragments.put("components", environmentComponents.data("page", page).render());
    fragments.put("builds", environmentBuilds.data("page", page).render());
    fragments.put("timeline", environmentTimeline.data("page", page).render());
    return fragments;
  }
}
