package io.infernet.node.cli;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** Opens a link in the user's browser where there is a desktop; quietly does nothing elsewhere (the link is printed anyway). */
final class Browser {
    private Browser() {}

    static void open(String url) {
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        List<String> cmd;
        if (os.contains("mac")) {
            cmd = List.of("open", url);
        } else if (os.contains("win")) {
            cmd = List.of("rundll32", "url.dll,FileProtocolHandler", url);
        } else if (System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null) {
            cmd = List.of("xdg-open", url);
        } else {
            return; // a server without a desktop: the user opens the printed link elsewhere
        }
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            // no opener: the link is printed
        }
    }
}
