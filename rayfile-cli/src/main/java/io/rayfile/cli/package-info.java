/**
 * The {@code rayfile} command: one picocli subcommand per class, JSON or human output, and the runnable jar's
 * entry point {@link io.rayfile.cli.Main}.
 */
package io.rayfile.cli;
