"""pyzmq peers for the patterns' interop tests (tests/examples_interop.test.ts).

Usage: patterns_peers.py MODE PORT [ARGS...]
  req PORT COUNT        REQ client: sends "Hello" COUNT times, prints "reply <i> <text>"
  rep PORT COUNT        REP server: answers COUNT requests with "World from PORT", then exits
  pub PORT              PUB: publishes "10000 999" and "10001 <k>" (k = 1..215) until killed
  pair PORT COUNT       PAIR server: COUNT rounds of one send and two receives, prints them
  pipeline PORT1 PORT2 COUNT
                        producer + collector: PUSH {"num": i} for COUNT items on PORT1, then
                        PULL the even results on PORT2 and print them as one JSON line
  sub PORT COUNT        SUB to topic 10001: prints COUNT updates as received
  pairclient PORT COUNT PAIR client: COUNT rounds of one receive (printed) and two sends
  consumer PORT1 PORT2 COUNT ID
                        the tutorial's consumer: PULL from PORT1, PUSH {"consumer": ID, "num": n}
                        for even n to PORT2; exits after COUNT items
  task_feeder PORT COUNT
                        the tutorial's task_feeder: PUSH connected to PORT, send_json
                        {'num': n} for n in range(COUNT) (without its one-second sleep)
  task_worker PORT COUNT ID
                        the tutorial's task_worker: prints "I am consumer #ID", PULL connected
                        to PORT, recv_json COUNT tasks, prints each {'consumer': ID, 'num': n}
Every wait is bounded (10 s), so a broken peer fails the test instead of hanging it.
"""
import json
import sys
import time

import zmq

TIMEOUT_MS = 10000


def socket(ctx, kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 1000)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    return s


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    ctx = zmq.Context()
    if mode == "req":
        s = socket(ctx, zmq.REQ)
        s.connect(f"tcp://127.0.0.1:{port}")
        for i in range(int(sys.argv[3])):
            s.send_string("Hello")
            print(f"reply {i} {s.recv_string()}", flush=True)
    elif mode == "rep":
        s = socket(ctx, zmq.REP)
        s.bind(f"tcp://127.0.0.1:{port}")
        for i in range(int(sys.argv[3])):
            print(f"request {i} {s.recv_string()}", flush=True)
            s.send_string(f"World from {port}")
    elif mode == "pub":
        s = socket(ctx, zmq.PUB)
        s.bind(f"tcp://127.0.0.1:{port}")
        print("ready", flush=True)
        k = 0
        while True:
            s.send_string("10000 999")
            s.send_string(f"10001 {k % 215 + 1}")
            k += 1
            time.sleep(0.005)
    elif mode == "pair":
        s = socket(ctx, zmq.PAIR)
        s.bind(f"tcp://127.0.0.1:{port}")
        for _ in range(int(sys.argv[3])):
            s.send_string("Server message to client3")
            print(s.recv_string(), flush=True)
            print(s.recv_string(), flush=True)
    elif mode == "pipeline":
        results_port, count = int(sys.argv[3]), int(sys.argv[4])
        push = socket(ctx, zmq.PUSH)
        push.bind(f"tcp://127.0.0.1:{port}")
        pull = socket(ctx, zmq.PULL)
        pull.bind(f"tcp://127.0.0.1:{results_port}")
        for num in range(count):
            push.send_json({"num": num})
        results = [pull.recv_json() for _ in range((count + 1) // 2)]
        print(json.dumps(results), flush=True)
    elif mode == "sub":
        s = socket(ctx, zmq.SUB)
        s.setsockopt_string(zmq.SUBSCRIBE, "10001")
        s.connect(f"tcp://127.0.0.1:{port}")
        for _ in range(int(sys.argv[3])):
            print(s.recv_string(), flush=True)
    elif mode == "pairclient":
        s = socket(ctx, zmq.PAIR)
        s.connect(f"tcp://127.0.0.1:{port}")
        for _ in range(int(sys.argv[3])):
            print(s.recv_string(), flush=True)
            s.send_string("client message to server1")
            s.send_string("client message to server2")
    elif mode == "consumer":
        results_port, count, ident = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        pull = socket(ctx, zmq.PULL)
        pull.connect(f"tcp://127.0.0.1:{port}")
        push = socket(ctx, zmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{results_port}")
        for _ in range(count):
            num = pull.recv_json()["num"]
            if num % 2 == 0:
                push.send_json({"consumer": ident, "num": num})
        print(f"consumed {count}", flush=True)
    elif mode == "task_feeder":
        s = socket(ctx, zmq.PUSH)
        s.connect(f"tcp://127.0.0.1:{port}")
        for num in range(int(sys.argv[3])):
            s.send_json({"num": num})
    elif mode == "task_worker":
        count, ident = int(sys.argv[3]), int(sys.argv[4])
        print(f"I am consumer #{ident}", flush=True)
        s = socket(ctx, zmq.PULL)
        s.connect(f"tcp://127.0.0.1:{port}")
        for _ in range(count):
            work = s.recv_json()
            print({"consumer": ident, "num": work["num"]}, flush=True)
    else:
        sys.exit(f"unknown mode {mode}")
    ctx.destroy(linger=1000)


if __name__ == "__main__":
    main()
