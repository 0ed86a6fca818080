"""What the RFC peers (mdp_peers.py, ppp_peers.py) share: stop on SIGTERM, fail loudly."""
import signal
import sys


class Stop:
    """Becomes true when the process gets SIGTERM."""

    requested = False


def _on_term(*_):
    Stop.requested = True


signal.signal(signal.SIGTERM, _on_term)


def fail(message, frames=None):
    """A frame broke the RFC: say which and exit with code 3."""
    print(f"PROTOCOL ERROR: {message}: {frames!r}", file=sys.stderr, flush=True)
    sys.exit(3)
