#!/usr/bin/env python3
"""serve_latency.py CONCADVISE FILE N ARGS...: the editor's view of `concadvise serve`.

Starts one server with ARGS, asks for FILE once (loading libclang, the rules and the
precompiled preamble), then sends N edits of FILE (a different comment appended each time)
and prints the wall time of each answer, in seconds, one per line: what an editor waits for
after a keystroke.  Each answer is checked to be a report (not an error)."""
import json
import subprocess
import sys
import time

bin_, path, n, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
text = open(path).read()
p = subprocess.Popen([bin_, "serve"] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def ask(req):
    body = json.dumps(req).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()
    headers = {}
    while True:
        line = p.stdout.readline().decode().strip()
        if not line:
            if headers:
                break
            continue
        k, v = line.split(":", 1)
        headers[k.lower()] = v.strip()
    answer = json.loads(p.stdout.read(int(headers["content-length"])))
    if "error" in answer:
        sys.exit(f"serve_latency: {answer['error']}")


ask({"file": path})
for i in range(n):
    t = time.perf_counter()
    ask({"file": path, "text": f"{text}\n/* edit {i} */\n"})
    print(f"{time.perf_counter() - t:.4f}")
p.stdin.close()
sys.exit(p.wait())
