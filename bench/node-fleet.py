"""Listens on a range of loopback ports and closes every connection: the benchmark's stand-in for nodes
that answer at once, so the local compute provider's nodes can be one `sleep` process each (1000 demo
JVMs or web servers would measure the machine, not the pipeline). Usage: node-fleet.py FIRST COUNT"""
import resource
import selectors
import socket
import sys

first, count = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 256)), hard))
selector = selectors.DefaultSelector()
for port in range(first, first + count):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ)
print("listening on %d..%d" % (first, first + count - 1), flush=True)
while True:
    for key, _ in selector.select():
        try:
            conn, _ = key.fileobj.accept()
            conn.close()
        except OSError:
            pass
