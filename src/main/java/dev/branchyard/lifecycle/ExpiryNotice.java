package dev.branchyard.lifecycle;

import java.time.Duration;
import java.time.Instant;

/**
 * An environment is about to expire.
 *
 * @param namespace the Environment's namespace (Branchyard's own)
 * @param name the Environment's name
 * @param specName its stack
 * @param trigger what asked for it: the repo and pull request to comment on
 * @param expiresAt when it will be deleted
 * @param left how long that is from now
 */
public record ExpiryNotice(
    String namespace,
    String name,
    String specName,
    Trigger trigger,
    Instant expiresAt,
    Duration left) {}
