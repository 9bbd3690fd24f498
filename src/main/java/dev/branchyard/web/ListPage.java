package dev.branchyard.web;

import java.util.List;

/**
 * Everything the environments list shows, formatted for people; the filtering, sorting and paging
 * are {@link EnvironmentListing}'s.
 *
 * @param rows the environments on this page
 * @param total how many pass the filters
 * @param spec the spec filter as given ("" when none)
 * @param repo the repo filter
 * @param author the author filter
 * @param phase the phase filter
 * @param sort the sort's text
 * @param nextUrl the next page, or null on the last
 * @param liveUrl the event stream of this listing
 * @param phases the phases a filter may name
 * @param sorts the sorts offered, text and label
 * @param error why the query could not be used, or null
 */
public record ListPage(
    List<Row> rows,
    int total,
    String spec,
    String repo,
    String author,
    String phase,
    String sort,
    String nextUrl,
    String liveUrl,
    List<String> phases,
    List<Choice> sorts,
    String error) {

  /**
   * One environment.
   *
   * @param name its name
   * @param spec its stack
   * @param repo the triggering repository
   * @param pullRequest {@code #12} or null
   * @param pullRequestUrl the pull request's page or null
   * @param branch the head branch
   * @param author who asked for it
   * @param phase its phase
   * @param tone the phase's colour class
   * @param ready components ready, {@code 2/3}
   * @param createdAt RFC 3339
   * @param age how long ago it was created
   * @param expiresAt RFC 3339, or null
   * @param expires {@code in 3h}, or {@code not set yet}
   * @param url its primary URL, or null
   */
  public record Row(
      String name,
      String spec,
      String repo,
      String pullRequest,
      String pullRequestUrl,
      String branch,
      String author,
      String phase,
      String tone,
      String ready,
      String createdAt,
      String age,
      String expiresAt,
      String expires,
      String url) {}

  /**
   * An option of a select.
   *
   * @param value what is sent
   * @param label what is shown
   * @param selected whether it is the current one
   */
  public record Choice(String value, String label, boolean selected) {}
}
