package dev.branchyard.spec.load;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where Branchyard reads env specs from, prefix {@code branchyard.specs}: a directory, a git
 * branch, or both. A stack defined by both stays with the source that defined it first.
 */
@ConfigMapping(prefix = "branchyard.specs")
public interface SpecSourceConfig {

  /** The local directory of specs. */
  Directory directory();

  /** The git repository of specs. */
  Git git();

  /** A directory read at startup and re-read whenever its files change. */
  interface Directory {

    /** Whether specs are read from {@link #path()} at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The directory whose {@code *.yaml} and {@code *.yml} files (not subdirectories) are specs,
     * relative to the working directory unless absolute. A missing directory is reported and
     * watched for until it appears.
     */
    @WithDefault("env-specs")
    Path path();

    /**
     * How long the directory must stay quiet after a change before it is re-read, so that an
     * editor's save or a {@code git pull} touching many files causes one reload.
     */
    @WithDefault("300ms")
    Duration debounce();
  }

  /** A branch of a git repository, fetched periodically. */
  interface Git {

    /**
     * The repository: a git URL, or GitHub {@code owner/name} (see {@code
     * branchyard.git.github-base-url}); credentials come from {@code branchyard.git.credentials}.
     * Unset: no specs are read from git.
     */
    Optional<String> url();

    /** The branch whose tip is read. */
    @WithDefault("main")
    String branch();

    /** The directory inside the repository whose {@code *.yaml} and {@code *.yml} are specs. */
    @WithDefault("env-specs")
    String path();

    /**
     * How often the branch tip is checked. Only a new tip commit is fetched and read, so a short
     * interval costs one ref listing per check.
     */
    @WithDefault("60s")
    Duration interval();

    /**
     * Where the fetched commits are kept between checks. Unset: a new directory under the JVM's
     * temporary directory, deleted on shutdown.
     */
    Optional<Path> workDir();
  }
}
