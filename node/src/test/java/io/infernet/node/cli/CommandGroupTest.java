package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Commands that only group subcommands ({@link CommandGroup}) print their usage when run without one. */
class CommandGroupTest {

    @Test
    void aGroupRunWithoutASubcommandPrintsItsUsage() {
        assertUsage("infernet");
        assertUsage("infernet model", "model");
        assertUsage("infernet payout", "payout");
    }

    private static void assertUsage(String name, String... args) {
        CliRun r = CliRun.execute(Main.commandLine(), args);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("Usage: " + name + " "), r.out());
        assertTrue(r.out().contains("Commands:"), r.out());
        assertEquals("", r.err());
    }
}
