package dev.branchyard.spec;

import java.util.regex.Pattern;

/** The naming rules of Kubernetes objects that spec values end up in. */
final class KubernetesNames {

  static final String DNS_LABEL_RULE =
      "use lowercase letters, digits and '-', at most 63 characters, starting and ending with a"
          + " letter or digit";

  static final String DNS_SUBDOMAIN_RULE =
      "use lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending"
          + " with a letter or digit";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** Resource names in quotas and limit ranges: {@code pods}, {@code requests.nvidia.com/gpu}. */
  private static final Pattern RESOURCE_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9._/]*)");

  /** The Kubernetes quantity grammar, simplified to what people write. */
  private static final Pattern QUANTITY =
      Pattern.compile(
          "[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][-+]?[0-9]+)?");

  /** Secret data keys. */
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

  private KubernetesNames() {}

  static boolean isDnsLabel(String name) {
    return DNS_LABEL.matcher(name).matches();
  }

  static boolean isDnsSubdomain(String name) {
    return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
  }

  static boolean isResourceName(String name) {
    return name.length() <= 253 && RESOURCE_NAME.matcher(name).matches();
  }

  static boolean isQuantity(String value) {
    return value.length() <= 64 && QUANTITY.matcher(value).matches();
  }

  static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }
}
