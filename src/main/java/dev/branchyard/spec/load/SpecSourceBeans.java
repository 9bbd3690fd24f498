package dev.branchyard.spec.load;

import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Makes the pure spec classes injectable: one parser, one file loader, and the one catalog that
 * every spec source feeds and every consumer reads.
 */
@ApplicationScoped
public class SpecSourceBeans {

  @Produces
  @Singleton
  SpecParser specParser() {
    return new SpecParser();
  }

  @Produces
  @Singleton
  SpecFiles specFiles(SpecParser parser) {
    return new SpecFiles(parser);
  }

  @Produces
  @Singleton
  SpecCatalog specCatalog(Clock clock) {
    return new SpecCatalog(clock);
  }
}
