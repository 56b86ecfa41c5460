#!/usr/bin/env python3
"""Open N mutual-TLS connections to 127.0.0.1:PORT, complete each handshake, then hold them idle
until stdin closes. Prints 'ready N' once all are open. Used by proxy-vs-peers.sh for the RSS test."""
import socket
import ssl
import sys

port, n, cert, key, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.options |= ssl.OP_NO_TICKET
held, failed = [], 0
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        t = ctx.wrap_socket(s, server_hostname="localhost")
        held.append(t)
    except OSError as e:
        failed += 1
        if failed == 1:
            print("first failure:", e, file=sys.stderr, flush=True)
print("ready %d failed %d" % (len(held), failed), flush=True)
sys.stdin.read()
