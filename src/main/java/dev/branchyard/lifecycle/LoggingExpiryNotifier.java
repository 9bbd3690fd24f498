package dev.branchyard.lifecycle;

import dev.branchyard.spec.DurationText;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Logs expiry notices; the default until GitHub or Slack feedback replaces it. */
@DefaultBean
@ApplicationScoped
public class LoggingExpiryNotifier implements ExpiryNotifier {

  private static final Logger LOG = Logger.getLogger(LoggingExpiryNotifier.class);

  @Override
  public void expiresSoon(ExpiryNotice notice) {
    LOG.infof(
        "environment %s/%s expires in %s, at %s",
        notice.namespace(),
        notice.name(),
        DurationText.format(notice.left().withNanos(0)),
        notice.expiresAt());
  }
}
