package io.infernet.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UserCommandTest {

    @Test
    void withoutASubcommandItPrintsItsUsage() {
        CommandLine cl = new CommandLine(new UserCommand());
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute());
        assertTrue(out.toString().startsWith("Usage: user "), out.toString());
        assertTrue(out.toString().contains("approve"), out.toString());
    }
}
