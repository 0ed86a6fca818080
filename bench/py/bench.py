#!/usr/bin/python3
"""The Python / pyzmq stack of `deno task bench`, on the bench contract (bench/README.md).

    /usr/bin/python3 bench.py WORKLOAD N SIZE PORT [EXTRA]      -> one JSON line on stdout

WORKLOAD: reqrep | pushpull | pubsub | queue | fanout | clients | workers | idle.
The untimed far end runs in a forked multiprocessing child with its own Context and says "ready"
once it has bound; the timed side runs here. `workers` uses threads sharing one Context (inproc
needs one context, so processes cannot stand in for C's threads; the GIL is part of the result)."""
import json, math, multiprocessing as mp, os, resource, sys, threading, time
import zmq

WARMUP = 100      # untimed round trips before a latency measurement
WINDOW = 500      # fanout: messages in flight ahead of the slowest SUB (< HWM 1000)
ACK_EVERY = 100   # fanout: the SUB side reports progress every this many messages
IDLE_PROCS = 4    # idle: client processes sharing the connections
now = time.perf_counter_ns


def ep(port):
    return f"tcp://127.0.0.1:{port}"


def pct(v, p):  # nearest-rank percentile of a sorted list (the same definition in every stack)
    return v[min(len(v) - 1, max(0, math.ceil(p * len(v)) - 1))]


def hwm_for(size):  # large messages: bound what the queues may hold
    return max(2, min(1000, (128 << 20) // max(size, 1)))


def mkmsg(size, topic, kind):  # "tNN" topic prefix, kind byte (S sync, D data, E end), padding
    return (b"t%02d" % topic + kind).ljust(max(size, 4), b"\0")


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


# ---- far ends (children); each sets `ready` once its binds are done ----
def far_rep(ready, endpoint, bind, count):
    ctx = zmq.Context(); s = ctx.socket(zmq.REP)
    s.bind(endpoint) if bind else s.connect(endpoint)
    ready.set()
    for _ in range(count):
        s.send(s.recv(copy=False), copy=False)
    s.close(); ctx.term()


def far_push(ready, port, n, size):
    ctx = zmq.Context(); s = ctx.socket(zmq.PUSH)
    s.setsockopt(zmq.SNDHWM, hwm_for(size)); s.bind(ep(port))
    ready.set()
    msg = b"\0" * size
    for _ in range(n):
        s.send(msg)  # pyzmq sends above its copy_threshold (64 KiB) without copying
    s.close(); ctx.term()  # default linger -1: flushes before exit


def far_proxy(ready, port):
    ctx = zmq.Context(); f = ctx.socket(zmq.ROUTER); b = ctx.socket(zmq.DEALER)
    f.bind(ep(port)); b.bind(ep(port + 1))
    ready.set()
    zmq.proxy(f, b)  # until the parent terminates us


def pub_sync(ready, pub, ack, size, topics):  # sync on every topic each ms until the SUB side acks
    ready.set()
    while True:
        for t in range(topics):
            pub.send(mkmsg(size, t, b"S"))
        if ack.poll(1):
            ack.recv()
            return


def far_pub(ready, port, n, size, topics):
    ctx = zmq.Context(); pub = ctx.socket(zmq.PUB); ack = ctx.socket(zmq.PULL)
    pub.setsockopt(zmq.SNDHWM, 0)  # unlimited: PUB never drops
    pub.bind(ep(port)); ack.bind(ep(port + 1))
    data = [mkmsg(size, t, b"D") for t in range(topics)]
    pub_sync(ready, pub, ack, size, topics)
    for i in range(n):
        pub.send(data[i % topics])
    for t in range(topics):
        pub.send(mkmsg(size, t, b"E"))
    ack.close(); pub.close(); ctx.term()


def far_fanout_pub(ready, port, n, size):  # default HWMs, at most WINDOW ahead of the slowest SUB
    ctx = zmq.Context(); pub = ctx.socket(zmq.PUB); ack = ctx.socket(zmq.PULL)
    pub.bind(ep(port)); ack.bind(ep(port + 1))
    data, acked = mkmsg(size, 0, b"D"), 0
    pub_sync(ready, pub, ack, size, 1)
    for i in range(n):
        while i - acked >= WINDOW:
            acked = int(ack.recv())
        pub.send(data)
    pub.send(mkmsg(size, 0, b"E"))
    ack.close(); pub.close(); ctx.term()


def far_router_echo(ready, port, count):
    ctx = zmq.Context(); s = ctx.socket(zmq.ROUTER); s.bind(ep(port))
    ready.set()
    for _ in range(count):
        s.send_multipart(s.recv_multipart(copy=False), copy=False)
    s.close(); ctx.term()


def far_idle_clients(ready, gate, port, count):
    ready.set(); gate.wait()
    ctx = zmq.Context(); ctx.max_sockets = count + 16
    keep = []
    for _ in range(count):
        s = ctx.socket(zmq.DEALER); s.connect(ep(port)); s.send(b"hi"); keep.append(s)
    while True:  # until the parent terminates us
        time.sleep(3600)


def start(target, *args):
    ready = mp.Event()
    p = mp.Process(target=target, args=(ready, *args), daemon=True)
    p.start()
    while not ready.wait(0.05):
        if not p.is_alive():
            sys.exit(f"bench.py: far end {target.__name__} died before it was ready")
    return p


# ---- timed sides ----
def latency(bench, port, n, size):
    ctx = zmq.Context(); s = ctx.socket(zmq.REQ); s.connect(ep(port))
    msg, t = b"\0" * size, []
    for i in range(WARMUP + n):
        if i == WARMUP:
            t0 = now()
        a = now()
        s.send(msg)
        if len(s.recv()) != size:
            sys.exit("bad reply")
        if i >= WARMUP:
            t.append((now() - a) / 1e3)
    tot = (now() - t0) / 1e3
    t.sort(); s.close(); ctx.term()
    return dict(bench=bench, n=n, size=size, median_us=round(pct(t, .5), 2), p99_us=round(pct(t, .99), 2),
                mean_us=round(tot / n, 2))


def pushpull(port, n, size):
    ctx = zmq.Context(); s = ctx.socket(zmq.PULL)
    s.setsockopt(zmq.RCVHWM, hwm_for(size)); s.connect(ep(port))
    copy = size < 65536  # pyzmq's idiom for large messages: a Frame, no copy
    for i in range(n):
        if len(s.recv(copy=copy)) != size:
            sys.exit("bad size")
        if i == 0:
            t0 = now()  # timed from the first message
    el = (now() - t0) / 1e9; rate = (n - 1) / el
    s.close(); ctx.term()
    return dict(bench="pushpull", n=n, size=size, msgs_per_s=round(rate), mb_per_s=round(rate * size / 1e6, 2),
                elapsed_s=round(el, 3))


def pubsub(port, n, size, topics):
    mine = 3 % topics
    ctx = zmq.Context(); sub = ctx.socket(zmq.SUB); ack = ctx.socket(zmq.PUSH)
    topic = b"t%02d" % mine
    sub.setsockopt(zmq.RCVHWM, 0); sub.setsockopt(zmq.RCVTIMEO, 60000); sub.setsockopt(zmq.SUBSCRIBE, topic)
    sub.connect(ep(port)); ack.connect(ep(port + 1))
    got, synced, ok, t0, t1 = 0, False, False, 0, 0
    expected = n // topics + (mine < n % topics)
    try:
        while True:
            m = sub.recv()
            kind = m[3:4]
            if kind == b"S":
                if not synced:
                    ack.send(b"ready"); synced = True
                continue
            if kind == b"E":
                ok = True; break
            if m[:3] != topic:
                break  # filter broken
            t1 = now()
            if got == 0:
                t0 = t1
            got += 1
    except zmq.Again:
        pass
    el = (t1 - t0) / 1e9; rate = (got - 1) / el if got > 1 else 0
    ack.close(); sub.close(); ctx.term()
    return dict(bench="pubsub", n=n, size=size, topics=topics, expected=expected, delivered=got,
                ok=ok and got == expected, msgs_per_s=round(rate), mb_per_s=round(rate * size / 1e6, 2),
                pub_msgs_per_s=round((n - topics) / el) if got > 1 else 0, elapsed_s=round(el, 3))


def fanout(port, n, size, subs):  # `subs` SUB sockets, one Poller; each must get all n messages
    ctx = zmq.Context(); ack = ctx.socket(zmq.PUSH); ack.setsockopt(zmq.LINGER, 0)
    socks = [ctx.socket(zmq.SUB) for _ in range(subs)]
    poller = zmq.Poller()
    for s in socks:
        s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(ep(port)); poller.register(s, zmq.POLLIN)
    ack.connect(ep(port + 1))
    index = {s: i for i, s in enumerate(socks)}
    count, synced, reached = [0] * subs, [False] * subs, [0] * (n // ACK_EVERY + 2)
    nsynced = ended = total = 0; bad = False; t0 = t1 = 0
    while ended < subs:
        ready = poller.poll(60000)
        if not ready:
            break  # a minute of silence: messages were lost
        for s, _ in ready:
            i = index[s]
            while True:
                try:
                    m = s.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                kind = m[3]
                if kind == 68:  # D
                    t1 = now()
                    if total == 0:
                        t0 = t1
                    total += 1
                    c = count[i] = count[i] + 1
                    if c % ACK_EVERY == 0:
                        k = c // ACK_EVERY
                        reached[k] += 1
                        if reached[k] == subs:
                            ack.send(b"%d" % c)
                elif kind == 83:  # S
                    if not synced[i]:
                        synced[i] = True; nsynced += 1
                        if nsynced == subs:
                            ack.send(b"ready")
                elif kind == 69:  # E
                    ended += 1; poller.unregister(s); break
                else:
                    bad = True
    expected = n * subs; el = (t1 - t0) / 1e9; rate = (total - 1) / el if total > 1 else 0
    for s in socks:
        s.close()
    ack.close(); ctx.term()
    return dict(bench="fanout", n=n, size=size, subs=subs, expected=expected, delivered=total, lost=expected - total,
                ok=total == expected and not bad, msgs_per_s=round(rate), elapsed_s=round(el, 3))


def clients(port, n, size, k):  # k REQ clients, one Poller, n timed requests in all
    ctx = zmq.Context(); ctx.max_sockets = k + 16
    socks = [ctx.socket(zmq.REQ) for _ in range(k)]
    poller = zmq.Poller()
    for s in socks:
        s.connect(ep(port)); poller.register(s, zmq.POLLIN)
    msg = b"\0" * size
    for s in socks:  # warm-up: every client connected
        s.send(msg)
    for s in socks:
        s.recv()
    index = {s: i for i, s in enumerate(socks)}
    left = [n // k + (i < n % k) for i in range(k)]
    sent, lat, done = [0] * k, [], 0
    t0 = now()
    for i, s in enumerate(socks):
        sent[i] = now(); s.send(msg)
    while done < n:
        for s, _ in poller.poll():
            i = index[s]
            if len(s.recv()) != size:
                sys.exit("bad reply")
            t = now(); lat.append((t - sent[i]) / 1e3); done += 1
            left[i] -= 1
            if left[i] > 0:
                sent[i] = now(); s.send(msg)
            else:
                poller.unregister(s)
    el = (now() - t0) / 1e9
    lat.sort()
    for s in socks:
        s.close()
    ctx.term()
    return dict(bench="clients", n=n, size=size, clients=k, requests_per_s=round(n / el),
                median_us=round(pct(lat, .5), 2), p99_us=round(pct(lat, .99), 2), elapsed_s=round(el, 3))


def workers(n, size, k):  # k threads, each a PUSH over inproc to one PULL here, n messages in all
    ctx = zmq.Context(); pull = ctx.socket(zmq.PULL); pull.bind("inproc://bench-workers")

    def push(count):
        s = ctx.socket(zmq.PUSH); s.connect("inproc://bench-workers")
        msg = b"\0" * size
        for _ in range(count):
            s.send(msg)
        s.close()

    threads = [threading.Thread(target=push, args=(n // k + (i < n % k),)) for i in range(k)]
    for t in threads:
        t.start()
    for i in range(n):
        if len(pull.recv(copy=False)) != size:
            sys.exit("bad size")
        if i == 0:
            t0 = now()
    el = (now() - t0) / 1e9; rate = (n - 1) / el
    for t in threads:
        t.join()
    pull.close(); ctx.term()
    return dict(bench="workers", n=n, size=size, workers=k, how="threading.Thread, one Context",
                msgs_per_s=round(rate), mb_per_s=round(rate * size / 1e6, 2), elapsed_s=round(el, 3))


def idle(port, n, seconds):  # one ROUTER holding n idle connections from client processes
    gate = mp.Event()
    kids = [start(far_idle_clients, gate, port, n // IDLE_PROCS + (i < n % IDLE_PROCS)) for i in range(IDLE_PROCS)]
    rss0, t0 = rss_mib(), now()
    ctx = zmq.Context(); s = ctx.socket(zmq.ROUTER); s.setsockopt(zmq.BACKLOG, 4096); s.bind(ep(port))
    gate.set()
    for _ in range(n):
        s.recv_multipart()
    connect_s, rss = (now() - t0) / 1e9, rss_mib() - rss0
    c0, w0 = cpu_s(), now()
    quiet = s.poll(seconds * 1000) == 0  # idle: a server waiting for requests
    wall = (now() - w0) / 1e9; cpu = cpu_s() - c0
    for k in kids:
        k.kill(); k.join()
    s.setsockopt(zmq.LINGER, 0); s.close(); ctx.term()
    return dict(bench="idle", n=n, size=0, connections=n, connect_s=round(connect_s, 3), rss_mib=round(rss, 1),
                rss_kib_per_conn=round(rss * 1024 / n, 2), idle_s=round(wall, 2),
                idle_cpu_percent=round(100 * cpu / wall, 3), ok=quiet)


USAGE = "usage: bench.py reqrep|pushpull|pubsub|queue|fanout|clients|workers|idle N SIZE PORT [EXTRA]"


def main():
    a = sys.argv[1:]
    try:
        bench, n, size, port = a[0], int(a[1]), int(a[2]), int(a[3])
        extra = int(a[4]) if len(a) > 4 else 0
        assert n >= 2 and size >= 0 and 0 < port < 65535
    except (IndexError, ValueError, AssertionError):
        print(USAGE, file=sys.stderr); sys.exit(2)
    mp.set_start_method("fork")
    kids = []
    if bench == "reqrep":
        kids.append(start(far_rep, ep(port), True, WARMUP + n)); r = latency("reqrep", port, n, size)
    elif bench == "pushpull":
        kids.append(start(far_push, port, n, size)); r = pushpull(port, n, size)
    elif bench == "pubsub":
        topics = extra if 1 <= extra <= 100 else 10
        kids.append(start(far_pub, port, n, size, topics)); r = pubsub(port, n, size, topics)
    elif bench == "queue":
        px = start(far_proxy, port); kids.append(start(far_rep, ep(port + 1), False, WARMUP + n))
        r = latency("queue", port, n, size); px.terminate()
    elif bench == "fanout":
        kids.append(start(far_fanout_pub, port, n, size)); r = fanout(port, n, size, extra or 50)
    elif bench == "clients":
        k = extra or 500
        kids.append(start(far_router_echo, port, n + k)); r = clients(port, n, size, k)
    elif bench == "workers":
        r = workers(n, size, extra or 4)
    elif bench == "idle":
        r = idle(port, n, extra or 5)
    else:
        print(f"bench.py: unknown workload {bench}\n{USAGE}", file=sys.stderr); sys.exit(2)
    for k in kids:
        k.join()
    print(json.dumps(dict(stack="py", **r)))


if __name__ == "__main__":
    main()
