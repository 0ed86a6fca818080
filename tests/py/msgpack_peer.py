"""A pyzmq peer for MessagePack round trips (Debian's python3-msgpack).

echo ENDPOINT: a REP connected to ENDPOINT; for each request (recv_serialized with
msgpack.unpackb) it answers send_serialized({"echo": value, "types": ...}, msgpack.packb),
the Python type name of every top-level item, until it gets "stop".
push ENDPOINT: a PUSH connected to ENDPOINT sends one value made in Python, then exits.
"""
import datetime
import sys

import msgpack
import zmq

mode, endpoint = sys.argv[1], sys.argv[2]
ctx = zmq.Context()


def types(value):
    if isinstance(value, dict):
        return {k: type(v).__name__ for k, v in value.items()}
    return type(value).__name__


if mode == "echo":
    sock = ctx.socket(zmq.REP)
    sock.setsockopt(zmq.RCVTIMEO, 10000)
    sock.connect(endpoint)
    print("ready", flush=True)
    while True:
        value = sock.recv_serialized(lambda frames: msgpack.unpackb(frames[0], timestamp=3))
        if value == "stop":
            sock.send_serialized("stopped", lambda v: [msgpack.packb(v)])
            break
        sock.send_serialized(
            {"echo": value, "types": types(value)},
            lambda v: [msgpack.packb(v, datetime=True)],
        )
elif mode == "push":
    sock = ctx.socket(zmq.PUSH)
    sock.connect(endpoint)
    value = {
        "from": "python",
        "int": -(2**40),
        "big": 2**63 - 1,
        "float": 0.1,
        "bytes": b"\x00\xffpy",
        "list": [1, "two", None, True],
        "nested": {"k": [{"deep": "é"}]},
        "when": datetime.datetime(2026, 12, 1, 11, 22, 33, tzinfo=datetime.timezone.utc),
    }
    sock.send_serialized(value, lambda v: [msgpack.packb(v, datetime=True)])
sock.close(linger=2000)
ctx.term()
