"""A pyzmq PUB: waits for a subscriber's go-ahead on a REP side channel, then publishes
COUNT messages on each of topics 10000 and 10001, then "10001 END"."""
import sys
import time
import zmq

pub_endpoint, sync_endpoint, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()


def bind(socket, endpoint):
    # The test found the ports by binding and closing its own sockets; libzmq gives a port
    # back on its I/O thread a moment after the close, so the port may still be in use.
    deadline = time.monotonic() + 5
    while True:
        try:
            socket.bind(endpoint)
            return
        except zmq.ZMQError as e:
            if e.errno != zmq.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


pub = ctx.socket(zmq.PUB)
bind(pub, pub_endpoint)
sync = ctx.socket(zmq.REP)
bind(sync, sync_endpoint)
print("ready", flush=True)
# The subscriber asks "sync?" until it has seen one of our sync messages, then says "go".
poller = zmq.Poller()
poller.register(sync, zmq.POLLIN)
while True:
    pub.send_string("10001 sync")
    if poller.poll(5):
        if sync.recv_string() == "go":
            sync.send_string("ok")
            break
        sync.send_string("wait")
for i in range(count):
    pub.send_string(f"10000 {i}")
    pub.send_string(f"10001 {i}")
pub.send_string("10001 END")
pub.close(linger=2000)
sync.close(0)
ctx.term()
