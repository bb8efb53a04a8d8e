package io.infernet.engines.vllm;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A stand-in for {@code vllm serve}, run as a real child process by the launcher tests. It reads
 * the arguments vLLM reads and behaves as {@code FAKE_VLLM_MODE} says:
 * {@code ok} (log, wait {@code FAKE_VLLM_DELAY_MS}, then answer {@code /v1/models}),
 * {@code oom} and {@code kv} (vLLM's out-of-memory and KV-cache failures, exit 1),
 * {@code exit} (an unknown failure, exit 3), {@code hang} (never listens),
 * {@code stubborn} (ok, but ignores SIGTERM). {@code FAKE_VLLM_GRANDCHILD=1} starts a
 * {@code sleep} child, as vLLM starts engine workers. {@code FAKE_VLLM_RECORD} names a file that
 * gets the arguments and whether VLLM_API_KEY was set.
 */
public final class FakeVllm {
    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        String mode = System.getenv().getOrDefault("FAKE_VLLM_MODE", "ok");
        String record = System.getenv("FAKE_VLLM_RECORD");
        if (record != null) {
            Files.writeString(Path.of(record), "pid=" + ProcessHandle.current().pid() + "\n" + String.join(" ", a) + "\nkey=" + System.getenv("VLLM_API_KEY")
                    + "\nNCCL_SOCKET_IFNAME=" + System.getenv("NCCL_SOCKET_IFNAME") + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        String host = arg(a, "--host", "127.0.0.1");
        int port = Integer.parseInt(arg(a, "--port", "8000"));
        String name = arg(a, "--served-model-name", a.size() > 1 ? a.get(1) : "model");
        System.out.println("INFO 05-14 09:20:01 [__init__.py:239] Automatically detected platform cuda.");
        System.out.println("INFO 05-14 09:20:03 [api_server.py:1043] vLLM API server version 0.8.5");
        System.out.flush();
        if (System.getenv("VLLM_API_KEY") != null) {
            System.out.println("DEBUG echo of a secret: " + System.getenv("VLLM_API_KEY"));
        }
        if ("1".equals(System.getenv("FAKE_VLLM_GRANDCHILD"))) {
            Process p = new ProcessBuilder("sleep", "300").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            System.out.println("grandchild " + p.pid());
        }
        switch (mode) {
            case "oom" -> {
                System.out.println("ERROR 05-14 09:20:40 [core.py:396] EngineCore failed to start.");
                System.out.println("ERROR 05-14 09:20:40 [core.py:396] torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. "
                        + "GPU 0 has a total capacity of 23.64 GiB of which 1.02 GiB is free.");
                System.out.flush();
                System.exit(1);
            }
            case "kv" -> {
                System.out.println("ERROR 05-14 09:20:41 [core.py:396] ValueError: To serve at least one request with the models's max seq len (32768), "
                        + "(4.00 GiB KV cache is needed, which is larger than the available KV cache memory (1.50 GiB). Try increasing "
                        + "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.");
                System.out.flush();
                System.exit(1);
            }
            case "exit" -> {
                System.out.println("RuntimeError: something nobody has seen before");
                System.out.flush();
                System.exit(3);
            }
            case "hang" -> {
                System.out.println("INFO loading weights (forever)");
                System.out.flush();
                Thread.sleep(600_000);
                return;
            }
            default -> {
            }
        }
        if (mode.equals("stubborn")) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> {
                System.out.println("ignoring SIGTERM");
                System.out.flush();
            });
            System.out.println("SIGTERM handler installed");
        }
        Thread.sleep(Long.parseLong(System.getenv().getOrDefault("FAKE_VLLM_DELAY_MS", "300")));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        server.createContext("/v1/models", ex -> {
            String key = System.getenv("VLLM_API_KEY");
            boolean allowed = key == null || ("Bearer " + key).equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (allowed ? "{\"object\":\"list\",\"data\":[{\"id\":\"" + name + "\",\"object\":\"model\",\"owned_by\":\"vllm\"}]}"
                    : "{\"error\":\"Unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(allowed ? 200 : 401, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("INFO:     Uvicorn running on http://" + host + ":" + port + " (Press CTRL+C to quit)");
        System.out.flush();
        Thread.sleep(600_000);
    }

    private static String arg(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : fallback;
    }

    private FakeVllm() {}

}
