package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.build.ImageBuildPhase;
import java.time.Instant;

/**
 * One image build as the API shows it.
 *
 * @param name the {@code ImageBuild}'s name
 * @param image the image it produces
 * @param repo the repository built
 * @param commitSha the commit built
 * @param phase where it is ({@code Skipped}: the image was already in the registry)
 * @param queuePosition position in the build queue while {@code Queued}
 * @param createdAt when it was asked for
 * @param startedAt when building started
 * @param finishedAt when it ended
 * @param digest the pushed manifest's digest
 * @param attempts how many times it ran
 * @param reason a short CamelCase reason for the phase
 * @param message what went wrong, with the last log lines
 * @param logs where its log streams ({@code text/event-stream})
 */
@Pure
public record BuildView(
    String name,
    String image,
    String repo,
    String commitSha,
    ImageBuildPhase phase,
    Integer queuePosition,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String digest,
    Integer attempts,
    String reason,
    String message,
    String logs) {}
