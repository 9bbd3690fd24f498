package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events ({@code kubectl describe environment}, {@code kubectl get events}).
 * Best effort: an event that cannot be written is logged at debug level and does not fail the work
 * it describes.
 */
@ApplicationScoped
public class EventRecorder {

  /** {@code source.component} of every event Branchyard records. */
  public static final String COMPONENT = "branchyard";

  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A {@code Normal} event about {@code involved}, in its namespace. */
  public void normal(HasMetadata involved, String reason, String message) {
    record(referenceTo(involved), "Normal", reason, message);
  }

  /** A {@code Warning} event about {@code involved}, in its namespace. */
  public void warning(HasMetadata involved, String reason, String message) {
    record(referenceTo(involved), "Warning", reason, message);
  }

  /**
   * An event about {@code involved}, which need not exist any more (e.g. an Environment whose
   * orphaned namespace was deleted), in the reference's namespace.
   */
  public void record(ObjectReference involved, String type, String reason, String message) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(involved.getName() + ".")
            .withNamespace(involved.getNamespace())
            .endMetadata()
            .withInvolvedObject(involved)
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(involved.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.debugf(
          "could not record event %s on %s/%s: %s",
          reason, involved.getKind(), involved.getName(), e.getMessage());
    }
  }

  static ObjectReference referenceTo(HasMetadata involved) {
    return new ObjectReferenceBuilder()
        .withApiVersion(involved.getApiVersion())
        .withKind(involved.getKind())
        .withNamespace(involved.getMetadata().getNamespace())
        .withName(involved.getMetadata().getName())
        .withUid(involved.getMetadata().getUid())
        .build();
  }
}
