package dev.branchyard.web;

import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecProblem;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The environment specs Branchyard currently uses, and what is wrong with the others: a broken spec
 * is reported here (and in the log) while its last good version stays in use.
 */
@Path("/api/specs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRoles.READ)
public class SpecsResource {

  private final SpecCatalog catalog;

  public SpecsResource(SpecCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * One entry per stack in use.
   *
   * @param name the stack's name
   * @param components its component names, in spec order
   * @param source the spec source it came from
   * @param file the file within that source
   * @param revision the commit SHA or modification time it was read at
   * @param loadedAt when this version was loaded
   */
  public record SpecView(
      String name,
      List<String> components,
      String source,
      String file,
      String revision,
      Instant loadedAt) {

    static SpecView of(LoadedSpec loaded) {
      return new SpecView(
          loaded.name(),
          loaded.spec().components().stream().map(ComponentSpec::name).toList(),
          loaded.sourceId(),
          loaded.file(),
          loaded.revision(),
          loaded.loadedAt());
    }
  }

  /**
   * A file that currently fails validation.
   *
   * @param source the spec source
   * @param file the file
   * @param revision the revision the problem was seen at
   * @param errors {@code file:line:column: message} lines
   * @param keptRevision the revision of the last good version still in use, if any
   */
  public record ProblemView(
      String source, String file, String revision, List<String> errors, String keptRevision) {

    static ProblemView of(SpecProblem problem) {
      return new ProblemView(
          problem.sourceId(),
          problem.file(),
          problem.revision(),
          problem.errors().stream().map(Object::toString).toList(),
          problem.kept().map(LoadedSpec::revision).orElse(null));
    }
  }

  /**
   * Everything at once.
   *
   * @param specs stacks in use, by name
   * @param problems files that fail validation
   * @param sourceFailures sources that cannot be read right now, with the reason
   */
  public record SpecsView(
      List<SpecView> specs, List<ProblemView> problems, Map<String, String> sourceFailures) {}

  @GET
  public SpecsView list() {
    return new SpecsView(
        catalog.all().stream()
            .sorted(Comparator.comparing(LoadedSpec::name))
            .map(SpecView::of)
            .toList(),
        catalog.problems().stream().map(ProblemView::of).toList(),
        catalog.sourceFailures());
  }
}
