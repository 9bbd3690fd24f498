package dev.branchyard.web;

/** Reads what runs in an environment's namespace, for its page. */
public interface EnvironmentWorkloads {

  /**
   * The pods and recent events of the namespace, by component. Never throws: what cannot be read is
   * reported in {@link Workloads#problem()}.
   */
  Workloads observe(String namespace);
}
