"""Majordomo (MDP/0.1, ZeroMQ RFC 7 + RFC 8 mmi.service) peers on pyzmq, written from the RFCs
for the interop tests: a broker, an echo worker and a client. Each one checks every frame it
receives against the RFC and exits with code 3 on the first deviation, so a test that passes
shows that our frames are byte-exact.

    mdp_peers.py broker ENDPOINT [HEARTBEAT_MS]
    mdp_peers.py worker ENDPOINT SERVICE [HEARTBEAT_MS]
    mdp_peers.py client ENDPOINT SERVICE COUNT [TIMEOUT_MS]
    mdp_peers.py mmi ENDPOINT SERVICE          (prints the mmi.service status)

Services print "ready" once bound/connected and run until SIGTERM.
"""
import sys
import time

import zmq

from _rfc_peer import Stop, fail

MDPC = b"MDPC01"
MDPW = b"MDPW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = (bytes([i]) for i in range(1, 6))
LIVENESS = 3



def broker(endpoint, heartbeat):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    sock.linger = 0
    sock.bind(endpoint)
    services = {}  # name -> {"requests": [(client, body)], "waiting": [worker id]}
    workers = {}  # worker id -> {"service": name, "expiry": t, "busy": bool}
    served = 0
    print("ready", flush=True)

    def service(name):
        return services.setdefault(name, {"requests": [], "waiting": []})

    def dispatch(name):
        s = service(name)
        while s["requests"] and s["waiting"]:
            worker = s["waiting"].pop(0)
            client, body = s["requests"].pop(0)
            workers[worker]["busy"] = True
            sock.send_multipart([worker, b"", MDPW, REQUEST, client, b""] + body)

    def delete(worker, disconnect):
        info = workers.pop(worker, None)
        if info:
            s = service(info["service"])
            if worker in s["waiting"]:
                s["waiting"].remove(worker)
        if disconnect:
            sock.send_multipart([worker, b"", MDPW, DISCONNECT])

    heartbeat_at = time.monotonic() + heartbeat
    while not Stop.requested:
        if sock.poll(int(heartbeat * 1000)):
            frames = sock.recv_multipart()
            if len(frames) < 3 or frames[1] != b"":
                fail("no empty frame 0", frames)
            sender, header = frames[0], frames[2]
            if header == MDPC:
                if len(frames) < 5:
                    fail("a client request needs a service and a body", frames)
                name, body = frames[3].decode(), frames[4:]
                if name.startswith("mmi."):
                    if name == "mmi.service":
                        wanted = body[0].decode()
                        found = any(w["service"] == wanted for w in workers.values())
                        status = b"200" if found else b"404"
                    else:
                        status = b"501"
                    sock.send_multipart([sender, b"", MDPC, frames[3], status])
                    continue
                service(name)["requests"].append((sender, body))
                dispatch(name)
            elif header == MDPW:
                command = frames[3] if len(frames) > 3 else b""
                known = sender in workers
                if known:
                    workers[sender]["expiry"] = time.monotonic() + heartbeat * LIVENESS
                if command == READY:
                    if len(frames) != 5:
                        fail("READY has exactly one frame after the command", frames)
                    name = frames[4].decode()
                    if known or name.startswith("mmi."):
                        delete(sender, True)
                        continue
                    workers[sender] = {
                        "service": name,
                        "expiry": time.monotonic() + heartbeat * LIVENESS,
                        "busy": False,
                    }
                    service(name)["waiting"].append(sender)
                    dispatch(name)
                elif command == REPLY:
                    if len(frames) < 7 or frames[5] != b"":
                        fail("REPLY needs a client, an empty frame and a body", frames)
                    if not known or not workers[sender]["busy"]:
                        delete(sender, True)
                        continue
                    info = workers[sender]
                    info["busy"] = False
                    sock.send_multipart(
                        [frames[4], b"", MDPC, info["service"].encode()] + frames[6:]
                    )
                    served += 1
                    service(info["service"])["waiting"].append(sender)
                    dispatch(info["service"])
                elif command == HEARTBEAT:
                    if len(frames) != 4:
                        fail("HEARTBEAT has no frames after the command", frames)
                    if not known:
                        delete(sender, True)
                elif command == DISCONNECT:
                    if len(frames) != 4:
                        fail("DISCONNECT has no frames after the command", frames)
                    delete(sender, False)
                else:
                    fail("unknown MDPW01 command", frames)
            else:
                fail("neither MDPC01 nor MDPW01", frames)
        now = time.monotonic()
        if now >= heartbeat_at:
            for worker in list(workers):
                if workers[worker]["expiry"] < now:
                    delete(worker, False)
                else:
                    sock.send_multipart([worker, b"", MDPW, HEARTBEAT])
            heartbeat_at = now + heartbeat
    print(f"served {served}", flush=True)
    sock.close(0)
    ctx.term()


def worker(endpoint, name, heartbeat):
    ctx = zmq.Context()
    handled = 0
    print("ready", flush=True)
    while not Stop.requested:
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(endpoint)
        sock.send_multipart([b"", MDPW, READY, name.encode()])
        expiry = time.monotonic() + heartbeat * LIVENESS
        heartbeat_at = time.monotonic() + heartbeat
        reconnect = False
        while not Stop.requested and not reconnect:
            if sock.poll(int(heartbeat * 1000)):
                frames = sock.recv_multipart()
                expiry = time.monotonic() + heartbeat * LIVENESS
                if len(frames) < 3 or frames[0] != b"" or frames[1] != MDPW:
                    fail("not an MDPW01 message", frames)
                command = frames[2]
                if command == REQUEST:
                    if len(frames) < 6 or frames[4] != b"":
                        fail("REQUEST needs a client, an empty frame and a body", frames)
                    handled += 1
                    print(f"request {frames[5].decode(errors='replace')}", flush=True)
                    sock.send_multipart([b"", MDPW, REPLY, frames[3], b""] + frames[5:])
                    heartbeat_at = time.monotonic() + heartbeat
                elif command == HEARTBEAT:
                    if len(frames) != 3:
                        fail("HEARTBEAT has no frames after the command", frames)
                elif command == DISCONNECT:
                    if len(frames) != 3:
                        fail("DISCONNECT has no frames after the command", frames)
                    reconnect = True
                else:
                    fail("a broker sends only REQUEST, HEARTBEAT or DISCONNECT", frames)
            now = time.monotonic()
            if now > expiry:
                reconnect = True
            elif now >= heartbeat_at:
                sock.send_multipart([b"", MDPW, HEARTBEAT])
                heartbeat_at = now + heartbeat
        if not reconnect:
            sock.send_multipart([b"", MDPW, DISCONNECT])
        sock.close(0)
    print(f"handled {handled}", flush=True)
    ctx.term()


def request(ctx, endpoint, frames, timeout, retries=3):
    """One MDP/Client request over REQ with the RFC's retry strategy; the reply's frames."""
    for _ in range(retries + 1):
        sock = ctx.socket(zmq.REQ)
        sock.linger = 0
        sock.connect(endpoint)
        sock.send_multipart(frames)
        if sock.poll(timeout):
            reply = sock.recv_multipart()
            sock.close(0)
            return reply
        sock.close(0)
    print("broker did not answer", file=sys.stderr, flush=True)
    sys.exit(4)


def client(endpoint, name, count, timeout):
    ctx = zmq.Context()
    for i in range(count):
        body = f"request {i}".encode()
        reply = request(ctx, endpoint, [MDPC, name.encode(), body], timeout)
        if reply != [MDPC, name.encode(), body]:
            fail("the reply is not [MDPC01, service, body]", reply)
        print(f"reply {reply[2].decode()}", flush=True)
    ctx.term()


def mmi(endpoint, name):
    ctx = zmq.Context()
    reply = request(ctx, endpoint, [MDPC, b"mmi.service", name.encode()], 2500)
    if len(reply) != 3 or reply[:2] != [MDPC, b"mmi.service"]:
        fail("the mmi reply is not [MDPC01, mmi.service, status]", reply)
    print(reply[2].decode(), flush=True)
    ctx.term()


if __name__ == "__main__":
    role, endpoint, *rest = sys.argv[1:]
    if role == "broker":
        broker(endpoint, int(rest[0]) / 1000 if rest else 2.5)
    elif role == "worker":
        worker(endpoint, rest[0], int(rest[1]) / 1000 if len(rest) > 1 else 2.5)
    elif role == "client":
        client(endpoint, rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else 2500)
    elif role == "mmi":
        mmi(endpoint, rest[0])
    else:
        sys.exit(f"unknown role {role}")
