package dev.branchyard.lifecycle;

/**
 * Tells the people behind an environment that it expires soon (a PR comment, a Slack message), so
 * they can {@code /branchyard extend} it. Called once per expiry time, on the leader; failures are
 * logged and do not stop the expiry.
 */
public interface ExpiryNotifier {

  void expiresSoon(ExpiryNotice notice);
}
