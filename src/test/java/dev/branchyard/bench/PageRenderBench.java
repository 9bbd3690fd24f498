package dev.branchyard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.TimelineEvent;
import dev.branchyard.web.EnvironmentPage;
import dev.branchyard.web.EnvironmentPages;
import dev.branchyard.web.EnvironmentView;
import dev.branchyard.web.EnvironmentViews;
import dev.branchyard.web.PageActions;
import dev.branchyard.web.PageChrome;
import dev.branchyard.web.PageFixtures;
import dev.branchyard.web.Workloads;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateLocator.TemplateLocation;
import io.quarkus.qute.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long the environment page of a 20-component environment takes to build and render (target:
 * under 50 ms): the page model from the resource (with 2 pods and 5 events per component and a full
 * 100-entry timeline) and the page's templates, the same files the application serves. Not a test:
 * run it with {@code scripts/bench-pages.sh}; writes {@code target/bench/page-render.json} and
 * prints a table.
 *
 * <p>Renders with a stand-alone Qute engine resolving values by reflection; the application
 * resolves them with classes Quarkus generates at build time, which are faster, so these times are
 * an upper bound. The running application reports its own render time of every page in a {@code
 * Server-Timing: render;dur=<ms>} header.
 */
public final class PageRenderBench {

  private static final int COMPONENTS = 20;
  private static final int WARM_UP = 300;
  private static final int RUNS = 1000;
  private static final double TARGET_MS = 50;

  private PageRenderBench() {}

  public static void main(String[] args) throws IOException {
    Path output = Path.of(args.length > 0 ? args[0] : "target/bench/page-render.json");
    Engine engine = engine();
    Template template = engine.getTemplate("environment.html");
    Environment environment = environment();
    Workloads workloads = workloads();
    PageActions actions =
        new PageActions(
            true,
            null,
            "alice",
            false,
            "token",
            environment.getStatus().components().stream().map(c -> c.name()).toList());
    PageChrome chrome =
        new PageChrome("alice", null, "token", null, null, "/environments/x/events?since=1");

    int length = 0;
    for (int i = 0; i < WARM_UP; i++) {
      length = render(template, environment, workloads, actions, chrome).length();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] total = new double[RUNS];
    double[] cpu = new double[RUNS];
    double[] model = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      long cpuStart = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      EnvironmentPage page = page(environment, workloads);
      long built = System.nanoTime();
      template.data("page", page).data("actions", actions).data("chrome", chrome).render();
      long end = System.nanoTime();
      cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
      model[i] = (built - start) / 1e6;
      total[i] = (end - start) / 1e6;
    }
    Arrays.sort(total);
    Arrays.sort(cpu);
    Arrays.sort(model);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("components", COMPONENTS);
    result.put("htmlBytes", length);
    result.put("runs", RUNS);
    result.put("modelMedianMs", round(model[RUNS / 2]));
    result.put("totalMedianMs", round(total[RUNS / 2]));
    result.put("totalP99Ms", round(total[(int) (RUNS * 0.99)]));
    result.put("totalMaxMs", round(total[RUNS - 1]));
    result.put("cpuMedianMs", round(cpu[RUNS / 2]));
    result.put("cpuP99Ms", round(cpu[(int) (RUNS * 0.99)]));
    result.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    result.put("processors", Runtime.getRuntime().availableProcessors());
    result.put("targetMs", TARGET_MS);
    result.put("withinTarget", total[(int) (RUNS * 0.99)] < TARGET_MS);
    result.put("cpuWithinTarget", cpu[(int) (RUNS * 0.99)] < TARGET_MS);
    Files.createDirectories(output.toAbsolutePath().getParent());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.toFile(), result);
    System.out.println("| environment page, " + COMPONENTS + " components | median | p99 | max |");
    System.out.println("|---|---|---|---|");
    System.out.printf(
        "| model + render (%d bytes) | %.2f ms | %.2f ms | %.2f ms |%n",
        length, total[RUNS / 2], total[(int) (RUNS * 0.99)], total[RUNS - 1]);
    System.out.printf(
        "| model + render, CPU time of the thread | %.2f ms | %.2f ms | |%n",
        cpu[RUNS / 2], cpu[(int) (RUNS * 0.99)]);
    System.out.printf("| model only | %.3f ms | | |%n", model[RUNS / 2]);
    System.out.printf(
        "target: p99 < %.0f ms -> wall %s, CPU %s (load average %.1f on %d processors: wall"
            + " times include waiting for a core)%n",
        TARGET_MS,
        result.get("withinTarget"),
        result.get("cpuWithinTarget"),
        result.get("loadAverage"),
        result.get("processors"));
    System.out.println("written to " + output);
  }

  private static String render(
      Template template,
      Environment environment,
      Workloads workloads,
      PageActions actions,
      PageChrome chrome) {
    return template
        .data("page", page(environment, workloads))
        .data("actions", actions)
        .data("chrome", chrome)
        .render();
  }

  private static EnvironmentPage page(Environment environment, Workloads workloads) {
    EnvironmentView view = EnvironmentViews.of(environment);
    return EnvironmentPages.of(view, Optional.empty(), workloads, Instant.now());
  }

  private static Environment environment() {
    Environment environment = PageFixtures.pending("shop-acme-shop-pr-12", "shop", "acme/shop", 12);
    EnvironmentStatus s =
        PageFixtures.status(EnvironmentPhase.Ready, "acme/shop", COMPONENTS, "shop-pr-12");
    List<TimelineEvent> timeline = new ArrayList<>();
    for (int i = 0; i < EnvironmentStatus.MAX_TIMELINE; i++) {
      timeline.add(
          new TimelineEvent(
              PageFixtures.CREATED.plusSeconds(i).toString(),
              i % 10 == 0 ? "Warning" : "Normal",
              "Step" + i,
              "something happened to component svc-" + (i % COMPONENTS)));
    }
    return PageFixtures.withStatus(
        environment,
        new EnvironmentStatus(
            s.observedGeneration(),
            s.phase(),
            s.queuePosition(),
            s.namespace(),
            s.url(),
            s.urls(),
            s.expiresAt(),
            s.resolvedRefs(),
            s.components(),
            s.conditions(),
            timeline,
            s.message(),
            s.specRevision()));
  }

  private static Workloads workloads() {
    Map<String, List<Workloads.PodState>> pods = new HashMap<>();
    Map<String, List<Workloads.WorkloadEvent>> events = new HashMap<>();
    for (int i = 0; i < COMPONENTS; i++) {
      String name = i == 0 ? "web" : "svc-" + i;
      pods.put(
          name,
          List.of(
              new Workloads.PodState(name + "-7d9f-abcde", "Running", 1, 1, 0, null),
              new Workloads.PodState(
                  name + "-7d9f-fghij", "Running", 0, 1, 4, name + ": waiting, CrashLoopBackOff")));
      List<Workloads.WorkloadEvent> list = new ArrayList<>();
      for (int e = 0; e < 5; e++) {
        list.add(
            new Workloads.WorkloadEvent(
                PageFixtures.CREATED.plusSeconds(600 - e),
                e == 0 ? "Warning" : "Normal",
                e == 0 ? "BackOff" : "Pulled",
                "Pod/" + name + "-7d9f-fghij",
                "Back-off restarting failed container",
                e + 1));
      }
      events.put(name, list);
    }
    return new Workloads(pods, events, null);
  }

  /** The application's templates, HTML-escaped as Quarkus escapes {@code .html} templates. */
  private static Engine engine() {
    return Engine.builder()
        .addDefaults()
        .addValueResolver(new ReflectionValueResolver())
        .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
        .addLocator(PageRenderBench::locate)
        .build();
  }

  private static Optional<TemplateLocation> locate(String id) {
    String path = "templates/" + (id.endsWith(".html") ? id : id + ".html");
    if (PageRenderBench.class.getClassLoader().getResource(path) == null) {
      return Optional.empty();
    }
    return Optional.of(
        new TemplateLocation() {
          @Override
          public Reader read() {
            InputStream in = PageRenderBench.class.getClassLoader().getResourceAsStream(path);
            if (in == null) {
              throw new UncheckedIOException(new IOException("no " + path));
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
          }

          @Override
          public Optional<Variant> getVariant() {
            return Optional.of(Variant.forContentType(Variant.TEXT_HTML));
          }
        });
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}
