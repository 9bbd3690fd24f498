package dev.branchyard.build;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What happened to a build.
 *
 * @param observedGeneration the spec generation this status describes
 * @param phase where the build is
 * @param queuePosition position in the build queue while {@code Queued}
 * @param startedAt when building started (RFC 3339)
 * @param finishedAt when it ended (RFC 3339)
 * @param digest the pushed manifest digest
 * @param logRef where the build log is kept
 * @param attempts how many times the build ran (infrastructure failures are retried)
 * @param reason a short CamelCase reason for the phase
 * @param message what went wrong, with the last log lines, for people
 * @param conditions Kubernetes-style conditions with transition times
 */
public record ImageBuildStatus(
    Long observedGeneration,
    ImageBuildPhase phase,
    Integer queuePosition,
    String startedAt,
    String finishedAt,
    @JsonPropertyDescription("Digest of the pushed manifest, e.g. sha256:...") String digest,
    @JsonPropertyDescription("Where the build log is kept.") String logRef,
    Integer attempts,
    String reason,
    String message,
    List<Condition> conditions) {}
