#!/usr/bin/env python3
"""A minimal, independent load client for OpenAI-compatible chat servers (standard library only).

Each of N streams sends its requests one after another (a closed loop) as streamed chat
completions with usage (stream_options.include_usage) and prints one JSON summary on stdout:
aggregate completion tokens per second over the wall time, time-to-first-token percentiles (from
sending the request to the first chunk with content), and failures. It shares no code with the
Java bench client, so the two can check each other.

  openai_load.py --url http://127.0.0.1:8080 --model m --streams 8 --requests 2 --max-tokens 128 \
      --temperature 0.8 --top-p 0.95 --seed 42 --prompt "..." [--prompt "..."]
"""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse


def one_request(host, port, path, body):
    """Sends one streamed chat request; returns (ok, ttft_s, total_s, completion_tokens, error)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=600)
    try:
        data = json.dumps(body).encode()
        conn.request("POST", path, body=data, headers={"Content-Type": "application/json", "Accept": "text/event-stream"})
        resp = conn.getresponse()
        if resp.status != 200:
            return False, None, time.perf_counter() - t0, 0, "HTTP %d: %s" % (resp.status, resp.read()[:200])
        ttft = None
        usage = None
        chunks = 0
        done = False
        while True:
            line = resp.readline()
            if not line:
                break
            line = line.strip()
            if not line.startswith(b"data:"):
                continue
            payload = line[5:].strip()
            if payload == b"[DONE]":
                done = True
                break
            c = json.loads(payload)
            if c.get("usage"):
                usage = c["usage"].get("completion_tokens")
            for ch in c.get("choices") or []:
                delta = ch.get("delta") or {}
                if delta.get("content") or delta.get("reasoning_content"):
                    chunks += 1
                    if ttft is None:
                        ttft = time.perf_counter() - t0
        total = time.perf_counter() - t0
        if not done:
            return False, ttft, total, usage or chunks, "the stream ended without [DONE]"
        return True, ttft, total, usage if usage is not None else chunks, None
    except Exception as e:  # noqa: BLE001 - a failed request is a result
        return False, None, time.perf_counter() - t0, 0, repr(e)
    finally:
        conn.close()


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--model", default=None)
    ap.add_argument("--streams", type=int, default=1)
    ap.add_argument("--requests", type=int, default=1, help="requests per stream, one after another")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--top-p", type=float, default=None)
    ap.add_argument("--seed", type=int, default=None, help="base seed; request i of stream s uses seed + 1000*s + i")
    ap.add_argument("--prompt", action="append", default=[])
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    prompts = a.prompt or ["Write a short story about a lighthouse keeper."]
    results = []
    lock = threading.Lock()

    def stream(s):
        for i in range(a.requests):
            body = {"messages": [{"role": "user", "content": prompts[(s * a.requests + i) % len(prompts)]}],
                    "max_tokens": a.max_tokens, "temperature": a.temperature, "stream": True,
                    "stream_options": {"include_usage": True}}
            if a.model:
                body["model"] = a.model
            if a.top_p is not None:
                body["top_p"] = a.top_p
            if a.seed is not None:
                body["seed"] = a.seed + 1000 * s + i
            r = one_request(u.hostname, u.port or 80, "/v1/chat/completions", body)
            with lock:
                results.append(r)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=stream, args=(s,)) for s in range(a.streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ok = [r for r in results if r[0]]
    ttfts = [r[1] * 1000 for r in ok if r[1] is not None]
    tokens = sum(r[3] for r in ok)
    out = {
        "client": "python-stdlib",
        "streams": a.streams,
        "requests": len(results),
        "failed": len(results) - len(ok),
        "errors": sorted({r[4] for r in results if not r[0]})[:5],
        "completion_tokens": tokens,
        "wall_s": wall,
        "tokens_per_second": tokens / wall if wall > 0 else 0.0,
        "ttft_ms_p50": percentile(ttfts, 50),
        "ttft_ms_p90": percentile(ttfts, 90),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0 if not out["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
