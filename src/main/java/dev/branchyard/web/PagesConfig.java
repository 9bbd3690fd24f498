package dev.branchyard.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the status pages, prefix {@code branchyard.web.pages}. */
@ConfigMapping(prefix = "branchyard.web.pages")
public interface PagesConfig {

  /**
   * Whether anyone may read the pages without logging in. Actions (extend, rebuild, destroy) always
   * need a GitHub login with write permission on the environment's repository. When false, every
   * page asks for a login first.
   */
  @WithDefault("true")
  boolean anonymousRead();

  /**
   * The key that signs the pages' CSRF tokens (any string, at least 32 characters). Unset: a random
   * key per process, which is right for one replica; several replicas behind one address must share
   * a key, or a form rendered by one is refused by another.
   */
  Optional<String> csrfKey();

  /**
   * How often an open environment page is sent its pods and events again, in case they changed
   * without the Environment changing (a pod restarting). Only sent when something changed.
   */
  @WithDefault("10s")
  Duration workloadRefresh();

  /** Entries per page of the environments list. */
  @WithDefault("50")
  int pageSize();
}
