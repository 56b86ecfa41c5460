#!/usr/bin/env python3
"""Start a proxy command and measure it as a user would: the time from spawning it to the first
mutual-TLS connection that completes a request through it, then its RSS and thread count once idle.

  first_conn.py PORT CERT KEY CA SETTLE_SECONDS -- COMMAND...

Prints one line: 'first_ms=N cpu_ms=N rss_kb=N threads=N pid=N' (cpu_ms: the proxy's CPU time until then,
which a loaded machine does not inflate the way it inflates first_ms) (first_ms=-1 when nothing answered in 30 s).
The proxy is stopped (SIGTERM, then SIGKILL) before this script exits."""
import os
import signal
import socket
import ssl
import subprocess
import sys
import time

port, cert, key, ca, settle = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
cmd = sys.argv[sys.argv.index("--") + 1:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.options |= ssl.OP_NO_TICKET


def status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int((int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK"))


def one_request():
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    try:
        t = ctx.wrap_socket(s, server_hostname="localhost")
        t.sendall(b"GET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return t.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        s.close()


start = time.monotonic()
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.environ.get("FIRST_CONN_LOG", os.devnull), "w"),
                        start_new_session=True)
first_ms = -1
first_cpu = -1
try:
    while time.monotonic() - start < 30 and proc.poll() is None:
        try:
            if one_request():
                first_ms = int((time.monotonic() - start) * 1000)
                first_cpu = cpu_ms(proc.pid)
                break
        except OSError:
            pass
        time.sleep(0.002)
    time.sleep(settle)
    pid = proc.pid
    if proc.poll() is None:
        print("first_ms=%d cpu_ms=%d rss_kb=%d threads=%d pid=%d" % (first_ms, first_cpu, status(pid, "VmRSS"),
                                                                  status(pid, "Threads"), pid), flush=True)
    else:
        print("first_ms=%d rss_kb=0 threads=0 pid=%d exited=%d" % (first_ms, pid, proc.returncode), flush=True)
finally:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
