package dev.branchyard.deploy;

import dev.branchyard.Pure;

/**
 * The labels and annotations that tie objects in the cluster back to their environment: the reaper
 * finds orphans by them, pruning finds objects a new revision no longer renders by them.
 */
@Pure
public final class EnvironmentLabels {

  /** On every namespace and object Branchyard creates: {@value #MANAGED_BY_VALUE}. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_VALUE = "branchyard";

  /** The name of the {@code Environment} an object or namespace belongs to. */
  public static final String ENVIRONMENT = "branchyard.dev/environment";

  /** The namespace of that {@code Environment} (Branchyard's own namespace). */
  public static final String HOME_NAMESPACE = "branchyard.dev/home";

  /** The component an object belongs to. */
  public static final String COMPONENT = "branchyard.dev/component";

  /** The stack (spec name) of the environment. */
  public static final String SPEC = "branchyard.dev/spec";

  /** Annotation on the namespace: the uid of the {@code Environment} that owns it. */
  public static final String ENVIRONMENT_UID = "branchyard.dev/environment-uid";

  /**
   * Value of {@link #COMPONENT} for objects of the environment as a whole. It contains a dot, so it
   * can never be a component's name (a DNS label), and it is a valid label value (which must start
   * and end with a letter or digit, so {@code _environment} would be rejected by the API server).
   */
  public static final String ENVIRONMENT_COMPONENT = "branchyard.environment";

  /** Server-side apply field manager. */
  public static final String FIELD_MANAGER = "branchyard";

  private EnvironmentLabels() {}
}
