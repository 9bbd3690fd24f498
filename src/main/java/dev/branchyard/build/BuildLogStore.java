package dev.branchyard.build;

import io.smallrye.mutiny.Multi;
import java.util.Optional;

/**
 * Keeps the output of image builds, bounded, and lets anyone read or follow it, on any replica.
 *
 * <p>The ImageBuild controller opens a writer per build attempt, hands it to the {@link
 * ImageBuilder} and closes it when the attempt has ended, before it writes the build's final phase:
 *
 * <pre>{@code
 * try (BuildLogWriter log = logs.open(build, attempt)) {
 *   result = builder.build(request, log);
 * }
 * // then: status.logRef = log.logRef(), status.message from logs.tail(name, 20), final phase
 * }</pre>
 *
 * <p>Writing never fails the build: lines that cannot be stored yet are kept in memory and stored
 * later. Reading methods talk to the store and may throw its exceptions (e.g. fabric8's {@code
 * KubernetesClientException} when the API cannot be reached).
 */
public interface BuildLogStore {

  /**
   * Starts (or, for a retried build, continues) the log of {@code build}. An attempt after the
   * first, or any attempt of a build that already has a log, begins with a {@code --- attempt N
   * ---} line.
   *
   * @param build the ImageBuild as read from the API server (its UID owns the stored log)
   * @param attempt the attempt number, from 1
   * @throws IllegalStateException if a writer for this build is already open on this replica
   */
  BuildLogWriter open(ImageBuild build, int attempt);

  /**
   * The build's log: the lines kept so far, then new lines as they are written, completing once the
   * log is complete (the last writer closed), or when the build is deleted or reaches a final
   * phase. Lines dropped by the bound before a follower saw them become one omission line. A
   * subscriber that falls a whole log's worth of lines behind fails (Mutiny's {@code
   * BackPressureFailure}) rather than holding more. Cancel to stop following.
   *
   * <p>Looks the build up before returning (a blocking call when the build is not running here).
   *
   * @throws BuildNotFoundException if there is no such ImageBuild
   */
  Multi<String> follow(String buildName);

  /**
   * The build's log as kept now, lines ending with {@code \n}; empty when the build has no log yet.
   *
   * @throws BuildNotFoundException if there is no such ImageBuild
   */
  String read(String buildName);

  /**
   * The last {@code lines} lines of the build's log joined with {@code \n}, e.g. for the build's
   * status message; empty when it has no log (or no such build).
   */
  Optional<String> tail(String buildName, int lines);
}
