package dev.branchyard.build;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the pure build classes from {@link BuildConfig}, so they stay free of CDI and config. */
@ApplicationScoped
public class BuildBeans {

  // Singleton: the namer is immutable and final, so it needs no client proxy.
  @Produces
  @Singleton
  ImageNamer imageNamer(BuildConfig config) {
    return new ImageNamer(config.registry(), config.imagePrefix().orElse(""));
  }
}
