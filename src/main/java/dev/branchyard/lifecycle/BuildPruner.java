package dev.branchyard.lifecycle;

import dev.branchyard.build.BuildConfig;
import dev.branchyard.build.BuildStatuses;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildRequests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Deletes old finished builds that nothing needs, every {@code branchyard.build.prune.interval}, on
 * the leader only.
 *
 * <p>A build is pruned when it is finished (Succeeded, Failed, Cancelled or Skipped), finished more
 * than {@code branchyard.build.prune.keep-finished} ago ({@code status.finishedAt}, else its
 * creation), and is not {@linkplain ImageBuildRequests#isNeeded needed}: it was requested for
 * environments and none owns it any more. Builds created by hand are kept until someone deletes
 * them, as {@link ImageBuildRequests} promises. Builds still owned go with their last owner
 * (Kubernetes' garbage collector). The delete is locked to the resource version that was judged, so
 * a build that an environment claimed meanwhile survives.
 */
@ApplicationScoped
public class BuildPruner {

  private static final Logger LOG = Logger.getLogger(BuildPruner.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final Duration keepFinished;
  private final Leadership leadership;

  @Inject
  BuildPruner(KubernetesClient client, Clock clock, BuildConfig config, Leadership leadership) {
    this(client, clock, config.prune().keepFinished(), leadership);
  }

  /** A pruner of the builds in {@code client}'s namespace. */
  public BuildPruner(
      KubernetesClient client, Clock clock, Duration keepFinished, Leadership leadership) {
    this.client = client;
    this.clock = clock;
    this.keepFinished = keepFinished;
    this.leadership = leadership;
  }

  @Scheduled(
      identity = "build-pruner",
      every = "${branchyard.build.prune.interval:1h}",
      concurrentExecution = ConcurrentExecution.SKIP)
  void onSchedule() {
    prune();
  }

  /**
   * One pass; returns the names of the builds it deleted. Does nothing unless this replica is the
   * leader.
   */
  public List<String> prune() {
    if (!leadership.isLeader()) {
      LOG.debug("not the leader: skipping build pruning");
      return List.of();
    }
    var builds = client.resources(ImageBuild.class).inNamespace(client.getNamespace());
    List<ImageBuild> all;
    try {
      all = builds.list().getItems();
    } catch (KubernetesClientException e) {
      LOG.warnf("build pruning: cannot list builds: %s", e.getMessage());
      return List.of();
    }
    Instant cutoff = clock.instant().minus(keepFinished);
    List<String> deleted = new ArrayList<>();
    for (ImageBuild build : all) {
      if (!isPrunable(build, cutoff)) {
        continue;
      }
      String name = build.getMetadata().getName();
      try {
        builds
            .withName(name)
            .lockResourceVersion(build.getMetadata().getResourceVersion())
            .delete();
        deleted.add(name);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 409) {
          LOG.warnf("build pruning: cannot delete %s: %s", name, e.getMessage());
        }
      }
    }
    if (!deleted.isEmpty()) {
      LOG.infof(
          "pruned %d finished builds no environment needs (older than %s): %s",
          deleted.size(), keepFinished, deleted);
    }
    return deleted;
  }

  private static boolean isPrunable(ImageBuild build, Instant cutoff) {
    if (!BuildStatuses.isFinal(build.getStatus()) || ImageBuildRequests.isNeeded(build)) {
      return false;
    }
    Optional<Instant> finished =
        ResourceTimes.parse(build.getStatus().finishedAt())
            .or(() -> ResourceTimes.parse(build.getMetadata().getCreationTimestamp()));
    return finished.isPresent() && finished.get().isBefore(cutoff);
  }
}
