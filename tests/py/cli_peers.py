"""pyzmq peers for the zmq command line's tests (tests/cli_e2e.test.ts).

Usage: cli_peers.py MODE [ARGS...]. A peer that binds prints "port <n>" (or "ports <a> <b>")
first. Every wait is bounded (20 s), so a broken peer fails the test instead of hanging it.
  relay COUNT             PULL on one port, PUSH on another: forwards COUNT messages (frames
                          kept) and prints each as a JSON list of hex frames
  upper-rep COUNT         REP: answers COUNT requests with each frame upper-cased
  upper-rep-connect EP COUNT   the same, connecting to EP (a queue's backend)
  req EP COUNT            REQ: sends "request <i>" COUNT times, prints each reply
  pub                     PUB: "10000 <k>" and "10001 <k>" in turn until stdin closes
  certs DIR NAME...       prints "<name> <public key> <has secret>" from DIR/NAME.key(_secret)
  curve-rep DIR COUNT     CURVE REP with DIR/server.key_secret, letting in the keys of
                          DIR/clients/*.key (ThreadAuthenticator): upper-case replies
  curve-req EP DIR TEXT   CURVE REQ with DIR/client.key_secret to the server DIR/server.key
  plain-rep USER PASS COUNT   PLAIN REP (ThreadAuthenticator): upper-case replies
  plain-push EP USER PASS SIZE   PLAIN PUSH: a frame of SIZE bytes "x", then "small" every
                          50 ms (also after a reconnection) until stdin closes
  http DIR                serves DIR over HTTP on 127.0.0.1 until stdin closes
"""
import functools
import http.server
import json
import os
import sys
import threading

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

TIMEOUT_MS = 20000


def socket(ctx, kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 2000)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    return s


def bind(s):
    return s.bind_to_random_port("tcp://127.0.0.1")


def say(*parts):
    print(*parts, flush=True)


def upper_replies(s, count):
    for _ in range(count):
        frames = s.recv_multipart()
        s.send_multipart([f.upper() for f in frames])


def authenticated_upper_rep(ctx, configure, secure, count):
    """A REP server whose peers a ThreadAuthenticator checks: upper-case replies."""
    auth = ThreadAuthenticator(ctx)
    auth.start()
    configure(auth)
    s = socket(ctx, zmq.REP)
    secure(s)
    say("port", bind(s))
    try:
        upper_replies(s, count)
    finally:
        auth.stop()


def curve_server(s, dir):
    public, secret = zmq.auth.load_certificate(os.path.join(dir, "server.key_secret"))
    s.curve_secretkey, s.curve_publickey, s.curve_server = secret, public, True


def until_stdin_closes():
    done = threading.Event()

    def watch():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    return done


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    ctx = zmq.Context()
    if mode == "relay":
        pull, push = socket(ctx, zmq.PULL), socket(ctx, zmq.PUSH)
        say("ports", bind(pull), bind(push))
        for _ in range(int(args[0])):
            frames = pull.recv_multipart()
            say(json.dumps([f.hex() for f in frames]))
            push.send_multipart(frames)
    elif mode == "upper-rep":
        s = socket(ctx, zmq.REP)
        say("port", bind(s))
        upper_replies(s, int(args[0]))
    elif mode == "upper-rep-connect":
        s = socket(ctx, zmq.REP)
        s.connect(args[0])
        upper_replies(s, int(args[1]))
    elif mode == "req":
        s = socket(ctx, zmq.REQ)
        s.connect(args[0])
        for i in range(int(args[1])):
            s.send_string(f"request {i}")
            say(s.recv_string())
    elif mode == "pub":
        s = socket(ctx, zmq.PUB)
        say("port", bind(s))
        done, k = until_stdin_closes(), 0
        while not done.wait(0.002) and k < 30000:
            s.send_string(f"10000 {k}")
            s.send_string(f"10001 {k}")
            k += 1
    elif mode == "certs":
        for name in args[1:]:
            public, _ = zmq.auth.load_certificate(os.path.join(args[0], name + ".key"))
            public2, secret = zmq.auth.load_certificate(
                os.path.join(args[0], name + ".key_secret"))
            ok = public == public2 and secret is not None and len(secret) == 40
            say(name, public.decode(), "secret-ok" if ok else "secret-bad")
    elif mode == "curve-rep":
        clients = os.path.join(args[0], "clients")
        authenticated_upper_rep(
            ctx, lambda auth: auth.configure_curve(domain="*", location=clients),
            lambda s: curve_server(s, args[0]), int(args[1]))
    elif mode == "curve-req":
        public, secret = zmq.auth.load_certificate(os.path.join(args[1], "client.key_secret"))
        server, _ = zmq.auth.load_certificate(os.path.join(args[1], "server.key"))
        s = socket(ctx, zmq.REQ)
        s.curve_secretkey, s.curve_publickey, s.curve_serverkey = secret, public, server
        s.connect(args[0])
        s.send_string(args[2])
        say(s.recv_string())
    elif mode == "plain-rep":
        authenticated_upper_rep(
            ctx, lambda auth: auth.configure_plain(domain="*", passwords={args[0]: args[1]}),
            lambda s: setattr(s, "plain_server", True), int(args[2]))
    elif mode == "plain-push":
        s = socket(ctx, zmq.PUSH)
        s.plain_username, s.plain_password = args[1].encode(), args[2].encode()
        s.connect(args[0])
        s.send(b"x" * int(args[3]))
        done = until_stdin_closes()
        while not done.wait(0.05):
            try:
                s.send(b"small", zmq.NOBLOCK)
            except zmq.Again:
                pass  # no connection at this moment (cut off, reconnecting)
        ctx.destroy(linger=0)
        return
    elif mode == "http":
        class Quiet(http.server.SimpleHTTPRequestHandler):
            # as raw.githubusercontent.com does: Deno then goes by the file's extension
            extensions_map = {"": "text/plain; charset=utf-8"}

            def guess_type(self, path):
                return "text/plain; charset=utf-8"

            def log_message(self, *_):
                pass

        handler = functools.partial(Quiet, directory=args[0])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        say("port", server.server_address[1])
        until_stdin_closes().wait(120)
        server.shutdown()
    else:
        raise SystemExit(f"unknown mode {mode}")
    ctx.destroy(linger=2000)


if __name__ == "__main__":
    main()
