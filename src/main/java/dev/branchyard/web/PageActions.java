package dev.branchyard.web;

import java.util.List;

/**
 * The actions block of an environment page for one viewer.
 *
 * @param available whether the viewer may extend, rebuild and destroy this environment
 * @param reason why not, for people (null when available)
 * @param login the viewer's GitHub login, or null when not logged in
 * @param loginOffered whether a login link is offered (login configured, viewer anonymous)
 * @param csrf the token the forms carry (null when not available)
 * @param components the components a rebuild may name
 */
public record PageActions(
    boolean available,
    String reason,
    String login,
    boolean loginOffered,
    String csrf,
    List<String> components) {}
