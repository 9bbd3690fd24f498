package dev.branchyard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class, or every class of a package (in its {@code package-info.java}), as pure: no I/O
 * and no adapter libraries (fabric8, JGit, github-api). The {@code spec} package is pure whether
 * marked or not. Enforced by {@code ArchitectureTest}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.PACKAGE})
public @interface Pure {}
