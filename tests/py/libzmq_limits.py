# Two libzmq bugs the wire fuzzer found, on Debian's libzmq through pyzmq (so not this library's):
#   rep-rollback: a REP drops the reply to a good REQ after it dropped a request with no empty
#                 delimiter from a peer it cannot write to (its pipe full, or the peer gone);
#   req-zap-user: a REQ that is a PLAIN server, whose ZAP handler names the user, drops the
#                 connection at the first reply (the reply is lost).
# Prints one line per scenario: "<name> lost <n>", then exits 0.
import os
import sys
import threading

import zmq
import zmq.utils.monitor as monitor

ctx = zmq.Context()
ctx.setsockopt(zmq.LINGER, 0)


def wait_event(mon, event):
    while mon.poll(5000):
        if monitor.recv_monitor_message(mon)["event"] == event:
            return
    raise SystemExit(f"no monitor event {event} within 5 s")


def rep_rollback():
    rep = ctx.socket(zmq.REP)
    rep.sndhwm = 1
    rep.bind("inproc://rep-rollback")
    bad = ctx.socket(zmq.DEALER)
    bad.rcvhwm = 1
    bad.connect("inproc://rep-rollback")
    for _ in range(2):  # two replies it never reads: the REP's pipe to it is full
        bad.send_multipart([b"", b"q"])
        rep.recv()
        rep.send(b"unread")
    bad.send(b"no delimiter")
    if rep.poll(5000) != zmq.POLLIN:
        raise SystemExit("the bad request did not arrive")
    try:
        rep.recv(zmq.NOBLOCK)  # the REP drops it (and leaves its "more" flag set)
        raise SystemExit("the bad request was delivered")
    except zmq.Again:
        pass
    req = ctx.socket(zmq.REQ)
    req.connect("inproc://rep-rollback")
    req.send(b"hello")
    rep.recv()
    rep.send(b"world")
    print("rep-rollback lost", 0 if req.poll(1000) else 1)


def req_zap_user():
    zap = ctx.socket(zmq.REP)
    zap.bind("inproc://zeromq.zap.01")

    def serve():
        try:
            while True:
                version, request_id = zap.recv_multipart()[:2]
                zap.send_multipart([version, request_id, b"200", b"OK", b"good", b""])
        except zmq.ContextTerminated:
            zap.close()

    threading.Thread(target=serve, daemon=True).start()
    req = ctx.socket(zmq.REQ)
    req.plain_server = True
    port = req.bind_to_random_port("tcp://127.0.0.1")
    mon = req.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    rep = ctx.socket(zmq.REP)
    rep.plain_username = b"good"
    rep.plain_password = b"pw"
    rep.connect(f"tcp://127.0.0.1:{port}")
    req.send(b"hello")
    rep.recv()
    rep.send(b"world")
    wait_event(mon, zmq.EVENT_DISCONNECTED)
    print("req-zap-user lost", 0 if req.poll(1000) else 1)


rep_rollback()
req_zap_user()
sys.stdout.flush()
os._exit(0)  # the ZAP thread and the monitors: leave without joining them
