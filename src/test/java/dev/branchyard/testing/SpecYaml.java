package dev.branchyard.testing;

/** Spec texts for tests of spec sources: the smallest valid stack, and a broken one. */
public final class SpecYaml {

  private SpecYaml() {}

  /** A valid spec of stack {@code stack} whose one component is named {@code component}. */
  public static String valid(String stack, String component) {
    return "name: "
        + stack
        + "\n"
        + "components:\n"
        + "  - name: "
        + component
        + "\n"
        + "    repo: acme/"
        + stack
        + "\n"
        + "    deploy:\n"
        + "      manifests: "
        + stack
        + "\n";
  }

  /** A spec of stack {@code stack} with two errors: an unknown field and a missing deploy. */
  public static String invalid(String stack) {
    return "name: "
        + stack
        + "\n"
        + "components:\n"
        + "  - name: app\n"
        + "    repo: acme/"
        + stack
        + "\n"
        + "    requries: [db]\n";
  }
}
