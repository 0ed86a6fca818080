"""Paranoid Pirate (ZeroMQ RFC 6) peers on pyzmq, written from the RFC for the interop tests:
a queue, an echo worker and a Lazy Pirate client. Each checks the frames it receives and exits
with code 3 on the first deviation.

    ppp_peers.py queue FRONTEND BACKEND [HEARTBEAT_MS]
    ppp_peers.py worker BACKEND [HEARTBEAT_MS]
    ppp_peers.py client FRONTEND COUNT [TIMEOUT_MS]

Services print "ready" once bound/connected and run until SIGTERM.
"""
import sys
import time

import zmq

from _rfc_peer import Stop, fail

PPP_READY = b"\x01"
PPP_HEARTBEAT = b"\x02"
LIVENESS = 3



def queue(front_endpoint, back_endpoint, heartbeat):
    ctx = zmq.Context()
    front = ctx.socket(zmq.ROUTER)
    back = ctx.socket(zmq.ROUTER)
    for s in (front, back):
        s.linger = 0
    front.bind(front_endpoint)
    back.bind(back_endpoint)
    idle = []  # worker ids, longest idle first
    expiry = {}  # worker id -> time
    busy = set()
    served = 0
    print("ready", flush=True)
    heartbeat_at = time.monotonic() + heartbeat
    while not Stop.requested:
        poller = zmq.Poller()
        poller.register(back, zmq.POLLIN)
        if idle:
            poller.register(front, zmq.POLLIN)
        events = dict(poller.poll(int(heartbeat * 1000)))
        if back in events:
            frames = back.recv_multipart()
            worker, rest = frames[0], frames[1:]
            if worker in expiry:
                expiry[worker] = time.monotonic() + heartbeat * LIVENESS
            if len(rest) == 1:
                if rest[0] == PPP_READY:
                    busy.discard(worker)
                    if worker in idle:
                        idle.remove(worker)
                    idle.append(worker)
                    expiry[worker] = time.monotonic() + heartbeat * LIVENESS
                elif rest[0] != PPP_HEARTBEAT:
                    fail("a one-frame message is READY or HEARTBEAT", frames)
            else:
                if len(rest) < 3 or b"" not in rest:
                    fail("a reply is an address, an empty frame and a body", frames)
                if worker in busy:
                    busy.discard(worker)
                    idle.append(worker)
                    front.send_multipart(rest)
                    served += 1
        if front in events and idle:
            frames = front.recv_multipart()
            worker = idle.pop(0)
            busy.add(worker)
            back.send_multipart([worker] + frames)
        now = time.monotonic()
        if now >= heartbeat_at:
            for worker in list(expiry):
                if expiry[worker] < now:
                    del expiry[worker]
                    busy.discard(worker)
                    if worker in idle:
                        idle.remove(worker)
                else:
                    back.send_multipart([worker, PPP_HEARTBEAT])
            heartbeat_at = now + heartbeat
    print(f"served {served}", flush=True)
    front.close(0)
    back.close(0)
    ctx.term()


def worker(endpoint, heartbeat):
    ctx = zmq.Context()
    handled = 0
    print("ready", flush=True)
    while not Stop.requested:
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(endpoint)
        sock.send(PPP_READY)
        expiry = time.monotonic() + heartbeat * LIVENESS
        heartbeat_at = time.monotonic() + heartbeat
        while not Stop.requested:
            if sock.poll(int(heartbeat * 1000)):
                frames = sock.recv_multipart()
                expiry = time.monotonic() + heartbeat * LIVENESS
                if len(frames) == 1:
                    if frames[0] != PPP_HEARTBEAT:
                        fail("a one-frame message from the queue is HEARTBEAT", frames)
                else:
                    if len(frames) < 3 or frames[1] != b"":
                        fail("a request is [client, empty, body...]", frames)
                    handled += 1
                    print(f"request {frames[2].decode(errors='replace')}", flush=True)
                    sock.send_multipart(frames)
            now = time.monotonic()
            if now > expiry:
                break
            if now >= heartbeat_at:
                sock.send(PPP_HEARTBEAT)
                heartbeat_at = now + heartbeat
        sock.close(0)
    print(f"handled {handled}", flush=True)
    ctx.term()


def client(endpoint, count, timeout):
    ctx = zmq.Context()
    for i in range(count):
        body = f"request {i}".encode()
        for _ in range(4):
            sock = ctx.socket(zmq.REQ)
            sock.linger = 0
            sock.connect(endpoint)
            sock.send(body)
            if sock.poll(timeout):
                reply = sock.recv_multipart()
                sock.close(0)
                break
            sock.close(0)
        else:
            print("queue did not answer", file=sys.stderr, flush=True)
            sys.exit(4)
        if reply != [body]:
            fail("the reply is not the request echoed", reply)
        print(f"reply {reply[0].decode()}", flush=True)
    ctx.term()


if __name__ == "__main__":
    role, *rest = sys.argv[1:]
    if role == "queue":
        queue(rest[0], rest[1], int(rest[2]) / 1000 if len(rest) > 2 else 1.0)
    elif role == "worker":
        worker(rest[0], int(rest[1]) / 1000 if len(rest) > 1 else 1.0)
    elif role == "client":
        client(rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else 2500)
    else:
        sys.exit(f"unknown role {role}")
