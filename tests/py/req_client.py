"""A pyzmq REQ client: sends N requests to ENDPOINT and prints each reply."""
import sys
import zmq

endpoint, count = sys.argv[1], int(sys.argv[2])
ctx = zmq.Context()
sock = ctx.socket(zmq.REQ)
sock.setsockopt(zmq.RCVTIMEO, 5000)
sock.connect(endpoint)
for i in range(count):
    sock.send_string(f"Hello {i}")
    print(sock.recv_string(), flush=True)
sock.close(0)
ctx.term()
