package dev.branchyard.web;

/**
 * What every page shows around its content: who is looking, the login link and a notice.
 *
 * @param login the viewer's GitHub login, or null when anonymous
 * @param loginUrl where to log in and come back to this page, or null when login is not configured
 * @param csrf the viewer's CSRF token (for the logout form), or null when anonymous
 * @param notice a message about the last action, or null
 * @param noticeTone {@code ok} or {@code bad}
 * @param liveUrl the page's event stream (live updates), or null
 */
public record PageChrome(
    String login, String loginUrl, String csrf, String notice, String noticeTone, String liveUrl) {}
