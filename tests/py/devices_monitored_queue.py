"""Reference run of pyzmq's monitored_queue in the ROUTER-ROUTER case.

Prints one JSON object: what the worker, the client and the monitor received, so that the
Deno test can run the same exchange through our MonitoredQueue and compare.
"""
import json
import threading

import zmq
from zmq.devices import monitored_queue


def text(frames):
    return [f.decode() for f in frames]


ctx = zmq.Context()
fe = ctx.socket(zmq.ROUTER)
fe.bind("inproc://in")
be = ctx.socket(zmq.ROUTER)
be.bind("inproc://out")
mon = ctx.socket(zmq.PUB)
mon.bind("inproc://mon")
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect("inproc://mon")
# the slow joiner: publish until the subscriber sees one, then drain
while not sub.poll(10):
    mon.send(b"sync")
while sub.poll(10):
    sub.recv()
client = ctx.socket(zmq.DEALER)
client.setsockopt(zmq.IDENTITY, b"C")
client.connect("inproc://in")
worker = ctx.socket(zmq.DEALER)
worker.setsockopt(zmq.IDENTITY, b"W")
worker.connect("inproc://out")
threading.Thread(
    target=lambda: monitored_queue(fe, be, mon, b"request", b"reply"), daemon=True
).start()

client.send_multipart([b"W", b"job"])
out = {"worker": text(worker.recv_multipart()), "monitor": [text(sub.recv_multipart())]}
worker.send_multipart([b"C", b"done"])
out["client"] = text(client.recv_multipart())
out["monitor"].append(text(sub.recv_multipart()))
print(json.dumps(out))
