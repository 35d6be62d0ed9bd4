"""Load on the SPARQL endpoint: N concurrent clients for S seconds, on loopback.

Usage: python bench/load.py OUT_DIR [--clients 50] [--seconds 30] [--workers 2]

Starts ``kg serve`` on the build in OUT_DIR, and each client sends the named queries (with
their default parameters) in turn, as fast as answers come. Prints requests, errors,
throughput and the median and 99th-percentile latency, against the baseline of one client
alone measured in the same run.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from kg import sparql


def start(out: str, workers: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", out, "--port", "0",
                                "--workers", str(workers)], stderr=subprocess.PIPE, text=True)
    url = re.search(r"(http://\S+/sparql)", process.stderr.readline()).group(1)
    return process, url


def run(url: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    queries = [sparql.bind(q.text, q.params) for q in sparql.named_queries().values()]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        n = k
        while time.monotonic() < stop:
            body = urlencode({"query": queries[n % len(queries)]}).encode()
            n += 1
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(
                        url, data=body, headers={"Accept": "application/sparql-results+json"}), timeout=60) as r:
                    r.read()
                    ok = r.status == 200
            except (urllib.error.URLError, OSError) as exc:
                ok = False
                with lock:
                    errors.append(str(exc))
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - began)
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def report(label: str, latencies: list[float], errors: list[str], seconds: float) -> float:
    ms = sorted(x * 1000 for x in latencies)
    median = statistics.median(ms) if ms else float("nan")
    p99 = ms[int(len(ms) * 0.99) - 1] if ms else float("nan")
    print(f"{label:22} {len(ms) + len(errors):7} requests {len(errors):4} errors "
          f"{len(ms) / seconds:7.0f} req/s  median {median:7.1f} ms  p99 {p99:7.1f} ms")
    return median


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    process, url = start(args.out, args.workers)
    try:
        base = report("1 client (baseline)", *run(url, 1, min(10, args.seconds)), min(10, args.seconds))
        latencies, errors = run(url, args.clients, args.seconds)
        median = report(f"{args.clients} clients", latencies, errors, args.seconds)
        print(f"median latency under load: {median / base:.1f}x the single client's")
        for e in sorted(set(errors))[:5]:
            print("  error:", e)
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
