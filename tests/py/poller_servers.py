"""The polling chapter's two servers in one pyzmq process: PUSH on PUSH_PORT sends "Continue"
six times then "Exit"; PUB on PUB_PORT publishes "<8|9> server#py" between the commands.
The first command waits (PUSH blocks) until the client is connected."""
import sys
import time
import zmq

push_port, pub_port = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
push.bind(f"tcp://127.0.0.1:{push_port}")
pub = ctx.socket(zmq.PUB)
pub.bind(f"tcp://127.0.0.1:{pub_port}")
print("ready", flush=True)
for i in range(7):
    push.send_string("Continue" if i < 6 else "Exit")
    for k in range(10):
        pub.send_string(f"{8 + k % 2} server#py")
        time.sleep(0.005)
push.close(linger=5000)
pub.close(linger=0)
ctx.term()
