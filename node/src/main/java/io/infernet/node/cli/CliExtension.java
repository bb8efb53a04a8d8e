package io.infernet.node.cli;

import java.util.List;

/**
 * Adds subcommands from modules above {@code node} (the {@code bench} module's {@code infernet
 * bench}), found with {@link java.util.ServiceLoader} so that no layer reaches up.
 */
public interface CliExtension {
    /** Picocli command objects (instances of {@code @Command} classes). */
    List<Object> subcommands();
}
