package dev.branchyard.web;

import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.web.Workloads.PodState;
import dev.branchyard.web.Workloads.WorkloadEvent;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link EnvironmentWorkloads} on the Kubernetes API: pods by their {@code
 * branchyard.dev/component} label, and the namespace's events given to the component whose pod,
 * ReplicaSet or Deployment (named after the pods' owners) they are about. Two list calls per look.
 */
@ApplicationScoped
public class KubernetesEnvironmentWorkloads implements EnvironmentWorkloads {

  private final KubernetesClient client;

  public KubernetesEnvironmentWorkloads(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Workloads observe(String namespace) {
    if (namespace == null || namespace.isBlank()) {
      return Workloads.none();
    }
    try {
      List<Pod> pods =
          client
              .pods()
              .inNamespace(namespace)
              .withLabel(EnvironmentLabels.COMPONENT)
              .list()
              .getItems();
      List<Event> events = client.v1().events().inNamespace(namespace).list().getItems();
      return workloads(pods, events);
    } catch (KubernetesClientException e) {
      return Workloads.unavailable(
          "the Kubernetes API answered " + e.getCode() + " for namespace " + namespace);
    }
  }

  static Workloads workloads(List<Pod> pods, List<Event> events) {
    Map<String, List<PodState>> byComponent = new LinkedHashMap<>();
    Map<String, String> componentOfObject = new HashMap<>();
    for (Pod pod : pods) {
      String component = pod.getMetadata().getLabels().get(EnvironmentLabels.COMPONENT);
      byComponent.computeIfAbsent(component, c -> new ArrayList<>()).add(state(pod));
      for (String owner : owners(pod)) {
        componentOfObject.putIfAbsent(owner, component);
      }
    }
    byComponent.values().forEach(list -> list.sort(Comparator.comparing(PodState::name)));
    Map<String, List<WorkloadEvent>> eventsByComponent = new LinkedHashMap<>();
    for (Event event : events) {
      ObjectReference about = event.getInvolvedObject();
      if (about == null || about.getName() == null) {
        continue;
      }
      String component = componentOfObject.get(about.getKind() + "/" + about.getName());
      if (component == null) {
        continue;
      }
      eventsByComponent
          .computeIfAbsent(component, c -> new ArrayList<>())
          .add(
              new WorkloadEvent(
                  time(event),
                  event.getType(),
                  event.getReason(),
                  about.getKind() + "/" + about.getName(),
                  event.getMessage(),
                  event.getCount() == null ? 1 : event.getCount()));
    }
    eventsByComponent
        .values()
        .forEach(
            list ->
                list.sort(
                    Comparator.comparing(
                            WorkloadEvent::time,
                            Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                        .reversed()));
    return new Workloads(byComponent, eventsByComponent, null);
  }

  /** {@code Kind/name} of the pod and of what owns it: its ReplicaSet and, by name, Deployment. */
  private static Set<String> owners(Pod pod) {
    Set<String> names = new HashSet<>();
    names.add("Pod/" + pod.getMetadata().getName());
    for (OwnerReference owner : pod.getMetadata().getOwnerReferences()) {
      names.add(owner.getKind() + "/" + owner.getName());
      if ("ReplicaSet".equals(owner.getKind()) && owner.getName().lastIndexOf('-') > 0) {
        // A Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
        names.add("Deployment/" + owner.getName().substring(0, owner.getName().lastIndexOf('-')));
      }
    }
    return names;
  }

  private static PodState state(Pod pod) {
    List<ContainerStatus> statuses =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    int containers = Math.max(statuses.size(), pod.getSpec().getContainers().size());
    int ready = (int) statuses.stream().filter(s -> Boolean.TRUE.equals(s.getReady())).count();
    int restarts =
        statuses.stream().mapToInt(s -> Objects.requireNonNullElse(s.getRestartCount(), 0)).sum();
    String lastState =
        statuses.stream()
            .map(KubernetesEnvironmentWorkloads::lastState)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(null);
    return new PodState(
        pod.getMetadata().getName(),
        pod.getStatus() == null ? "Unknown" : pod.getStatus().getPhase(),
        ready,
        containers,
        restarts,
        lastState);
  }

  /** Why a container waits now, else why it last ended (when it restarted); null when fine. */
  private static String lastState(ContainerStatus status) {
    ContainerState now = status.getState();
    if (now != null && now.getWaiting() != null && now.getWaiting().getReason() != null) {
      return status.getName()
          + ": waiting, "
          + now.getWaiting().getReason()
          + (now.getWaiting().getMessage() == null
              ? ""
              : " (" + now.getWaiting().getMessage() + ")");
    }
    ContainerState last = status.getLastState();
    if (last != null && last.getTerminated() != null) {
      var t = last.getTerminated();
      return status.getName()
          + ": last ended "
          + Objects.requireNonNullElse(t.getReason(), "")
          + " (exit "
          + t.getExitCode()
          + ")"
          + (t.getFinishedAt() == null ? "" : " at " + t.getFinishedAt());
    }
    return null;
  }

  private static Instant time(Event event) {
    for (String text :
        new String[] {
          event.getLastTimestamp(),
          event.getEventTime() == null ? null : event.getEventTime().getTime(),
          event.getFirstTimestamp(),
          event.getMetadata().getCreationTimestamp()
        }) {
      if (text != null && !text.isBlank()) {
        try {
          return Instant.parse(text);
        } catch (DateTimeParseException e) {
          // try the next field
        }
      }
    }
    return null;
  }
}
