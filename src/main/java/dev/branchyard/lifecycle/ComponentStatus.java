package dev.branchyard.lifecycle;

import dev.branchyard.build.ImageBuildPhase;

/**
 * Image and deploy state of one component.
 *
 * @param name component name in the spec
 * @param image the image reference deployed (registry/repo:tag), when the component builds one
 * @param imageBuild name of the {@code ImageBuild} resource producing {@code image}
 * @param imagePhase the phase of that build
 * @param deployPhase the deploy state
 * @param message what is going on or wrong, for people
 * @param commitSha the exact commit deployed
 * @param appliedHash a hash of the manifests last applied for the component (unchanged: not
 *     re-applied)
 * @param appliedAt when they were applied (RFC 3339); the readiness timeout counts from here
 */
public record ComponentStatus(
    String name,
    String image,
    String imageBuild,
    ImageBuildPhase imagePhase,
    DeployPhase deployPhase,
    String message,
    String commitSha,
    String appliedHash,
    String appliedAt) {}
