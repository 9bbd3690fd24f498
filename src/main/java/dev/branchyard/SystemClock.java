package dev.branchyard;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The {@link Clock} that classes which care about time inject (house style), so tests can pass a
 * fixed one. A default bean: any other {@code Clock} producer replaces it without ambiguity.
 */
@ApplicationScoped
public class SystemClock {

  // Singleton, not application-scoped: a JDK class cannot be given a client proxy.
  @Produces
  @DefaultBean
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
