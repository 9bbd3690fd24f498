package dev.branchyard.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What runs in an environment's namespace, per component: its pods and the recent events about them
 * and their controllers.
 *
 * @param pods pods by component name (label {@code branchyard.dev/component})
 * @param events recent events by component name, newest first
 * @param problem why the namespace could not be read, or null
 */
public record Workloads(
    Map<String, List<PodState>> pods, Map<String, List<WorkloadEvent>> events, String problem) {

  public Workloads {
    pods = Map.copyOf(pods);
    events = Map.copyOf(events);
  }

  /** Nothing known (no namespace yet). */
  public static Workloads none() {
    return new Workloads(Map.of(), Map.of(), null);
  }

  /** The namespace could not be read; the page says why instead of showing no pods. */
  public static Workloads unavailable(String problem) {
    return new Workloads(Map.of(), Map.of(), problem);
  }

  /**
   * One pod.
   *
   * @param name the pod's name
   * @param phase Pending, Running, Succeeded, Failed or Unknown
   * @param readyContainers containers that are ready
   * @param containers containers in all
   * @param restarts restarts of all its containers
   * @param lastState why a container is waiting or last ended (e.g. {@code CrashLoopBackOff},
   *     {@code OOMKilled (exit 137)}), or null when all is well
   */
  public record PodState(
      String name,
      String phase,
      int readyContainers,
      int containers,
      int restarts,
      String lastState) {}

  /**
   * One Kubernetes event.
   *
   * @param time when it last happened
   * @param type Normal or Warning
   * @param reason the short reason, e.g. {@code BackOff}
   * @param object the object it is about, {@code Kind/name}
   * @param message what happened
   * @param count how often it happened
   */
  public record WorkloadEvent(
      Instant time, String type, String reason, String object, String message, int count) {}
}
