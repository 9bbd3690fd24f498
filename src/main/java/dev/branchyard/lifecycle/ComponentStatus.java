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
 */
public record ComponentStatus(
    String name,
    String image,
    String imageBuild,
    ImageBuildPhase imagePhase,
    DeployPhase deployPhase,
    String message) {}
