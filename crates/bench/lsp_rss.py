#!/usr/bin/env python3
"""Peak RSS of `tplc lsp` with N open documents (default 1,000).

    python3 crates/bench/lsp_rss.py CORPUS_DIR [N]

Opens the first N templates of a generated corpus (`tplc-corpus`) over stdio, waits
until the server has published diagnostics for all of them, then prints the server's
current and peak resident memory (VmRSS, VmHWM from /proc) and the time taken.
"""
import json, os, subprocess, sys, time, select
from pathlib import Path

root = Path(sys.argv[1]).resolve()
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
tplc = Path(__file__).resolve().parents[2] / "target" / "release" / "tplc"
files = sorted(p for p in root.rglob("*.tplc") if not p.name.startswith("_"))[:n]

proc = subprocess.Popen([str(tplc), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
buf = b""


def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def read(timeout):
    """Next message, or None after `timeout` seconds of silence."""
    global buf
    while True:
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if sep:
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(rest) >= length:
                buf = rest[length:]
                return json.loads(rest[:length])
        r, _, _ = select.select([proc.stdout], [], [], timeout)
        if not r:
            return None
        chunk = os.read(proc.stdout.fileno(), 1 << 20)
        if not chunk:
            return None
        buf += chunk


def mem():
    status = Path(f"/proc/{proc.pid}/status").read_text()
    get = lambda k: int([l for l in status.splitlines() if l.startswith(k)][0].split()[1]) // 1024
    return get("VmRSS:"), get("VmHWM:")


start = time.time()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
while (m := read(30)) is not None and m.get("id") != 1:
    pass
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
for p in files:
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": p.as_uri(), "languageId": "tplc", "version": 1, "text": p.read_text()}}})
published = set()
while len(published) < len(files):
    m = read(60)
    if m is None:
        break
    if m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == 1:
        published.add(m["params"]["uri"])
rss, hwm = mem()
print(f"{len(files)} open documents ({len(published)} published): RSS {rss} MB, peak {hwm} MB, {time.time() - start:.1f} s")
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
send({"jsonrpc": "2.0", "method": "exit"})
proc.wait(timeout=30)
