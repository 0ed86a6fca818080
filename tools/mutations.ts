// The deliberate bugs of `deno task mutants` (tools/mutants.ts). Each replaces the one
// occurrence of `find` in `file`; the run fails loudly before mutating anything if a `find` no
// longer occurs exactly once, so edit this list along with the code it quotes.
//
// The first 27 are the kinds of bugs issue 16 (point 10) describes, at each place they can
// happen (a timeout 20x early in the core, the poller, waitForEvent, request, ...); the rest,
// from "multipart-split-after-64k" on, are our own.
import type { Mutation } from "./_mutate.ts";

// Test files per area. Each mutant runs the files of its area (or the whole suite with --all).
const DATA = [
  "tests/contents.test.ts",
  "tests/core_async.test.ts",
  "tests/core_patterns.test.ts",
  "tests/core_reqrep.test.ts",
  "tests/core_interop.test.ts",
  "tests/devices_proxy.test.ts",
  "tests/patterns_helpers.test.ts",
];
const TIMEOUTS = [
  "tests/timeouts.test.ts",
  "tests/core_async.test.ts",
  "tests/patterns_helpers.test.ts",
  "tests/poller_poller.test.ts",
  "tests/monitor.test.ts",
  "tests/lazy_pirate.test.ts",
];
const POLL = [
  "tests/readiness.test.ts",
  "tests/core_async.test.ts",
  "tests/poller_poller.test.ts",
  "tests/poller_reactor.test.ts",
  "tests/poller_stream.test.ts",
  "tests/poller_examples.test.ts",
];
const MONITOR = [
  "tests/monitor_handshake.test.ts",
  "tests/monitor.test.ts",
  "tests/security_auth.test.ts",
];
const DEVICES = [
  "tests/devices_devices.test.ts",
  "tests/devices_background.test.ts",
  "tests/devices_proxy.test.ts",
  "tests/devices_examples.test.ts",
];
const STREAMS = ["tests/poller_stream.test.ts", "tests/poller_examples.test.ts"];
const AUTH = [
  "tests/security_auth.test.ts",
  "tests/auth_fail_closed.test.ts",
  "tests/auth_limits.test.ts",
  "tests/monitor_handshake.test.ts",
];

/** The mutations, in the order they run. */
export const MUTATIONS: Mutation[] = [
  // ---- received contents ----
  {
    id: "recv-flips-a-byte",
    file: "core/_backend_frames.ts",
    find: "  } else if (n > 0) libc.memcpy(out, zmq.zmq_msg_data_at(msgAt), BigInt(n));\n",
    replace: "  } else if (n > 0) libc.memcpy(out, zmq.zmq_msg_data_at(msgAt), BigInt(n));\n" +
      "  if (n > 100) out[n >> 1] ^= 0x01;\n",
    why: "a byte flipped in every received frame over 100 B",
    tests: DATA,
  },
  {
    id: "recv-truncates-over-64k",
    file: "core/_backend_frames.ts",
    find: "libc.memcpy(out, zmq.zmq_msg_data_at(msgAt), BigInt(n));",
    replace: "libc.memcpy(out, zmq.zmq_msg_data_at(msgAt), BigInt(Math.min(n, 64 * 1024)));",
    why: "frames over 64 KiB silently truncated (the tail arrives as zeros)",
    tests: DATA,
  },
  {
    id: "slab-frames-overlap",
    file: "core/_backend_frames.ts",
    find: "    out = new Uint8Array(n);",
    replace: "    out = n <= 64\n" +
      "      ? ((globalThis as { zmqSlab?: Uint8Array }).zmqSlab ??= new Uint8Array(64)).subarray(0, n)\n" +
      "      : new Uint8Array(n);",
    why: "small frames share one buffer (as the slab did): the next frame overwrites a kept one",
    tests: [...DATA, "tests/hardening_frames.test.ts"],
  },
  {
    id: "big-frame-buffer-reused",
    file: "core/_backend_frames.ts",
    find: "    out = new Uint8Array(n);",
    replace: "    out = n > 8192 && n <= 1 << 20\n" +
      "      ? ((globalThis as { zmqBig?: Uint8Array }).zmqBig ??= new Uint8Array(1 << 20))\n" +
      "        .subarray(0, n)\n" +
      "      : new Uint8Array(n);",
    why: "frames over 8 KiB share one reused buffer: a later receive overwrites a kept frame",
    tests: DATA,
  },
  // ---- timeouts ----
  {
    id: "deadlines-20x-early",
    file: "core/_timers.ts",
    find: "const d: Deadline = { at: performance.now() + ms, fire };",
    replace: "const d: Deadline = { at: performance.now() + ms / 20, fire };",
    why: "send/recv/poll timeouts fire 20x early (recv({ timeout: 400 }) rejects after 20 ms)",
    tests: TIMEOUTS,
  },
  {
    id: "deadlines-4x-late",
    file: "core/_timers.ts",
    find: "const d: Deadline = { at: performance.now() + ms, fire };",
    replace: "const d: Deadline = { at: performance.now() + ms * 4, fire };",
    why: "send/recv/poll timeouts fire 4x late (recv({ timeout: 400 }) rejects after 1600 ms)",
    tests: TIMEOUTS,
  },
  {
    id: "poller-timeout-20x-early",
    file: "poller/poller.ts",
    find: "const deadline = ms < 0 ? Infinity : performance.now() + ms;",
    replace: "const deadline = ms < 0 ? Infinity : performance.now() + ms / 20;",
    why: "Poller.poll(timeout) answers 'nothing ready' 20x early",
    tests: TIMEOUTS,
  },
  {
    id: "poller-timeout-4x-late",
    file: "poller/poller.ts",
    find: "const deadline = ms < 0 ? Infinity : performance.now() + ms;",
    replace: "const deadline = ms < 0 ? Infinity : performance.now() + ms * 4;",
    why: "Poller.poll(timeout) answers 'nothing ready' 4x late",
    tests: TIMEOUTS,
  },
  {
    id: "wait-for-event-20x-early",
    file: "core/monitor.ts",
    find: "  const cancelTimer = startTimer(ms, () => {",
    replace: "  const cancelTimer = startTimer(ms / 20, () => {",
    why: "waitForEvent's timeout fires 20x early",
    tests: TIMEOUTS,
  },
  {
    id: "wait-for-event-4x-late",
    file: "core/monitor.ts",
    find: "  const cancelTimer = startTimer(ms, () => {",
    replace: "  const cancelTimer = startTimer(ms * 4, () => {",
    why: "waitForEvent's timeout fires 4x late",
    tests: TIMEOUTS,
  },
  {
    id: "request-20x-early",
    file: "patterns/reqrep.ts",
    find: "  const deadline = performance.now() + timeout;",
    replace: "  const deadline = performance.now() + timeout / 20;",
    why: "request() gives up on the reply 20x early",
    tests: TIMEOUTS,
  },
  {
    id: "request-reply-unbounded",
    file: "patterns/reqrep.ts",
    find: "  return await req.recvMultipart({ timeout: left, signal });",
    replace: "  return await req.recvMultipart({ signal });",
    why: "request() waits for a lost reply forever, whatever its timeout",
    tests: TIMEOUTS,
  },
  {
    id: "await-workers-20x-early",
    file: "patterns/unstable_tutorial.ts",
    find: "  const cancelTimer = startTimer(timeout ?? -1, () =>",
    replace: "  const cancelTimer = startTimer((timeout ?? -1) / 20, () =>",
    why: "awaitWorkers gives up 20x before its timeout",
    tests: TIMEOUTS,
  },
  {
    id: "pirate-attempt-4x-late",
    file: "reliable/lazy_pirate.ts",
    find: "return await socket.recvMultipart({ timeout: this.timeout, signal });",
    replace: "return await socket.recvMultipart({ timeout: this.timeout * 4, signal });",
    why: "LazyPirateClient waits 4x its per-attempt timeout for each reply",
    tests: TIMEOUTS,
  },
  // ---- readiness ----
  {
    id: "poll-pollin-answers-pollout",
    file: "core/_socket_reactor.ts",
    find: "if ((ready & events) !== 0) return Promise.resolve(ready & events);",
    replace: "if ((ready & events) !== 0) return Promise.resolve(ready);",
    why: "Socket.poll(POLLIN) on a writable socket answers POLLIN | POLLOUT",
    tests: POLL,
  },
  {
    id: "poll-wait-answers-unasked-events",
    file: "core/_pending.ts",
    find: "        op.resolve((ready & op.mask) as never);",
    replace: "        op.resolve(ready as never);",
    why: "a Socket.poll that had to wait answers events it was not asked for",
    tests: POLL,
  },
  {
    id: "poller-one-ready-per-call",
    file: "poller/poller.ts",
    find: "    if (ev !== 0) ready.set(item, ev);",
    replace: "    if (ev !== 0 && ready.size === 0) ready.set(item, ev);",
    why: "Poller.poll reports only one of several ready sockets per call",
    tests: POLL,
  },
  {
    id: "poller-ignores-registered-events",
    file: "poller/poller.ts",
    find: '      : item.getOption("EVENTS") & events;',
    replace: '      : item.getOption("EVENTS");',
    why: "Poller.poll reports a socket registered for POLLIN as ready because it is writable",
    tests: POLL,
  },
  // ---- handshake events ----
  {
    id: "ehandshake-lost",
    file: "core/monitor.ts",
    find: "      if (failOnHandshake && HANDSHAKE_FAILURES.has(e.event)) {",
    replace: "      if (false && failOnHandshake && HANDSHAKE_FAILURES.has(e.event)) {",
    why: "waitForEvent ignores a failed handshake (no EHANDSHAKE: it waits until its timeout)",
    tests: MONITOR,
  },
  // ---- tests whose title the assertions did not check ----
  {
    id: "terminate-blocks-the-thread",
    file: "core/context.ts",
    find: "      await ctxTermAsync(ptr);",
    replace: "      ctxTermWatched(ptr, LATE_MS, () => {});",
    why: "Context.terminate() (await using) blocks the JS thread while messages linger",
    tests: ["tests/core_async.test.ts", "tests/core_runtime.test.ts"],
  },
  {
    id: "loop-ignores-abort",
    file: "poller/stream.ts",
    find: "    const onAbort = () => void this.stop();",
    replace: "    const onAbort = () => {};",
    why: "Loop.run(signal) keeps running after the signal aborts",
    tests: STREAMS,
  },
  {
    id: "polling-client-ignores-abort",
    file: "examples/zmqpolling/client.ts",
    find: "      const socks = await poller.poll({ signal });",
    replace: "      const socks = await poller.poll({});",
    why: "the zmqpolling client, stopped while it waits for a message, never ends",
    tests: STREAMS,
  },
  {
    id: "zmqhas-says-yes-to-anything",
    file: "core/info.ts",
    find: "  return has(capability);",
    replace: "  return true;",
    why: "zmqHas answers true for capabilities libzmq lacks",
    tests: ["tests/security_curve.test.ts", "tests/core_loader.test.ts"],
  },
  // ---- devices (these hung the suite at 4eeccc8 instead of failing by name) ----
  {
    id: "forwarder-subscribes-to-nothing",
    file: "devices/device.ts",
    find: '    if (ft === "SUB") frontend.subscribe("");\n',
    replace: "",
    why: "a FORWARDER device's SUB frontend subscribes to nothing: no message passes",
    tests: DEVICES,
  },
  {
    id: "device-capture-dropped",
    file: "devices/device.ts",
    find: "{ capture: parts.capture }",
    replace: "{}",
    why: "startDevice's capture socket never gets a copy of the traffic",
    tests: DEVICES,
  },
  {
    id: "background-capture-dropped",
    file: "devices/_device_role.ts",
    find: "new SteerableProxy(inSocket, outSocket, { capture: mon })",
    replace: "new SteerableProxy(inSocket, outSocket, {})",
    why: "a background PROXY's capture socket never gets a copy of the traffic",
    tests: DEVICES,
  },
  {
    id: "background-device-ignores-stop",
    file: "devices/_device_role.ts",
    find: "        await Promise.race([aborted(env.signal), proxy.done]);",
    replace: "        await proxy.done;",
    why: "a background device does not stop when asked: its Worker is killed, sockets leak",
    tests: DEVICES,
  },
  // ---- our own ----
  {
    id: "multipart-split-after-64k",
    file: "core/_backend_frames.ts",
    find: "  lastFrameMore = more();\n  return copyOut(n) ?? dropTooBig(sock, n, lastFrameMore);",
    replace: "  lastFrameMore = n <= 64 * 1024 && more();\n" +
      "  return copyOut(n) ?? dropTooBig(sock, n, lastFrameMore);",
    why: "a multipart message is cut in two after a frame over 64 KiB",
    tests: DATA,
  },
  {
    id: "view-sent-from-buffer-start",
    file: "core/_frames.ts",
    find: "return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);",
    replace: "return new Uint8Array(value.buffer, 0, value.byteLength);",
    why: "a typed-array view at an offset is sent from the start of its buffer",
    tests: DATA,
  },
  {
    id: "empty-frame-sent-as-one-byte",
    file: "core/_backend_frames.ts",
    find: "while (zmq.zmq_send(sock, buf, BigInt(frame.length), flags) < 0) {",
    replace: "while (zmq.zmq_send(sock, buf, BigInt(buf.length), flags) < 0) {",
    why: "an empty frame arrives as one byte",
    tests: DATA,
  },
  {
    id: "sndtimeo-ignored",
    file: "core/_socket_core.ts",
    find: '    if (name === "SNDTIMEO") this.sndTimeout = value as number;\n',
    replace: "",
    why: "SNDTIMEO set by name is not the default send timeout (a send waits forever)",
    tests: TIMEOUTS,
  },
  {
    id: "long-timeout-fires-at-once",
    file: "core/_util.ts",
    find: "  return timeout > MAX_TIMER_MS ? -1 : timeout;",
    replace: "  return timeout > MAX_TIMER_MS ? 1 : timeout;",
    why: "a timeout beyond setTimeout's range (2^31 ms) is cut to 1 ms",
    tests: [...TIMEOUTS, "tests/fuzz.test.ts", "tests/long_timeouts.test.ts", "tests/util.test.ts"],
  },
  {
    id: "timer-overflow-fires-at-once",
    file: "core/_util.ts",
    find: "  if (!(ms >= 0) || ms > MAX_TIMER_MS) return noop;",
    replace: "  if (!(ms >= 0)) return noop;",
    why: "a timer beyond setTimeout's range fires after 1 ms instead of never (issue 16.4)",
    tests: ["tests/util.test.ts", "tests/long_timeouts.test.ts"],
  },
  {
    id: "connect-and-wait-unbounded",
    file: "core/monitor.ts",
    find: "waitForEvent(socket, until, { timeout: options.timeout, signal });",
    replace: "waitForEvent(socket, until, { signal });",
    why: "connectAndWait ignores its timeout and waits forever for a peer",
    tests: [...TIMEOUTS, ...MONITOR],
  },
  {
    id: "poll-timeout-rejects",
    file: "core/_socket_reactor.ts",
    find:
      'return core.ops.enqueue<number, "poll">("poll", { mask: events }, ms, signal, context, 0);',
    replace:
      'return core.ops.enqueue<number, "poll">("poll", { mask: events }, ms, signal, context);',
    why: "a Socket.poll that times out rejects instead of answering 0",
    tests: POLL,
  },
  {
    id: "event-value-16-bit",
    file: "core/monitor.ts",
    find: "const value = view.getUint32(2, true);",
    replace: "const value = view.getUint16(2, true);",
    why: "monitor events carry only the low 16 bits of their value (protocol error codes lost)",
    tests: MONITOR,
  },
  {
    id: "loop-runs-with-aborted-signal",
    file: "poller/stream.ts",
    find: "    if (signal?.aborted) return; // stopped before it started: no callback runs\n",
    replace: "",
    why: "Loop.run(signal) with a signal already aborted runs (forever) instead of returning",
    tests: STREAMS,
  },
  {
    id: "server-pub-pause-ignores-abort",
    file: "examples/zmqpolling/server_pub.ts",
    find: "      await delay(interval, signal);",
    replace: "      await delay(interval);",
    why: "the polling server_pub, stopped during its pause, ends only when the pause is over",
    tests: STREAMS,
  },
  {
    id: "background-sub-subscribes-to-nothing",
    file: "devices/_device_role.ts",
    find: '  if (side.type === "SUB" && !subscribed) s.subscribe("");\n',
    replace: "",
    why: "a background FORWARDER's SUB side subscribes to nothing: no message passes",
    tests: DEVICES,
  },
  {
    id: "reactor-not-woken-after-an-op",
    file: "core/_socket_core.ts",
    find: "      reactor.wake();\n",
    replace: "",
    why: "after a send/recv made outside the reactor, waiting operations are not looked at again " +
      "(ZMQ_FD is edge-triggered: messages sit unnoticed)",
    tests: [...POLL, ...DATA],
  },
  {
    id: "pending-receives-served-newest-first",
    file: "core/_pending.ts",
    find: "      const op = this.recv[0];\n" +
      "      const err = io.recv(ptr, op.kind, op.frames);\n" +
      "      if (err === EAGAIN) {\n" +
      "        want |= POLLIN;\n" +
      "        break;\n" +
      "      }\n" +
      "      this.recv.shift();",
    replace: "      const op = this.recv[this.recv.length - 1];\n" +
      "      const err = io.recv(ptr, op.kind, op.frames);\n" +
      "      if (err === EAGAIN) {\n" +
      "        want |= POLLIN;\n" +
      "        break;\n" +
      "      }\n" +
      "      this.recv.pop();",
    why: "several pending receives on one socket get the messages newest call first",
    tests: DATA,
  },
  {
    id: "invalid-utf8-accepted",
    file: "core/socket.ts",
    find: 'const utf8 = new TextDecoder("utf-8", { fatal: true });',
    replace: 'const utf8 = new TextDecoder("utf-8", { fatal: false });',
    why: "recvString turns invalid UTF-8 into U+FFFD instead of rejecting with EBADUTF8",
    tests: [...DATA, "tests/core_errors.test.ts"],
  },
  {
    id: "wait-for-event-takes-any-event",
    file: "core/monitor.ts",
    find: "      if (wanted.has(e.event)) return e as MonitorEvent<N>;",
    replace: "      return e as MonitorEvent<N>;",
    why: "waitForEvent resolves with the first event of any kind, not the one asked for",
    tests: MONITOR,
  },
  {
    id: "pirate-reuses-its-stuck-socket",
    file: "reliable/lazy_pirate.ts",
    find: "          if (this.#socket === socket) this.#socket = null;\n",
    replace: "",
    why: "LazyPirateClient retries on the REQ socket it just closed instead of a fresh one",
    tests: ["tests/lazy_pirate.test.ts", "tests/timeouts.test.ts"],
  },
  {
    id: "plain-password-prefix-accepted",
    file: "auth/_rules.ts",
    find: "  let diff = a.length ^ b.length;\n" +
      "  for (let i = 0; i < Math.max(a.length, b.length); i++)",
    replace: "  let diff = 0;\n  for (let i = 0; i < Math.min(a.length, b.length); i++)",
    why: "a PLAIN password is accepted when it is a prefix of the right one (the empty one too)",
    tests: AUTH,
  },
  {
    id: "curve-key-list-ignored",
    file: "auth/_rules.ts",
    find: "if (!rule.allowAny && !rule.keys.has(key))",
    replace: "if (!rule.allowAny && rule.keys.size === 0)",
    why: "a CURVE client key that is not on the allow list is let in",
    tests: AUTH,
  },
  {
    id: "hot-loop-never-yields",
    file: "core/_turn.ts",
    find: "  if (queued !== null) return true;\n  if (ops === 0) {",
    replace: "  if (ops >= 0) return false;\n  if (ops === 0) {",
    why: "a loop whose operations complete at once never lets a timer run (issue 10.4)",
    tests: ["tests/hardening_turn.test.ts"],
  },
  {
    id: "queued-send-not-copied",
    file: "core/_frames.ts",
    find: "    if (shared === undefined || shared(out[i]) === null) out[i] = out[i].slice();",
    replace: "",
    why: "a send waiting in the queue goes out with what the caller wrote afterwards (10.14)",
    tests: ["tests/hardening_frames.test.ts"],
  },
  // ---- zero copy (issue 12 item 3) ----
  {
    id: "released-frame-still-views-memory",
    file: "core/zero_copy.ts",
    find:
      "  else h.buffer.transfer(0); // every view of it is emptied before libzmq may free the memory",
    replace: "",
    why: "a released zero-copy frame (and its views) still read libzmq's freed memory",
    tests: ["tests/zero_copy.test.ts"],
  },
  {
    id: "queued-zero-copy-send-not-pinned",
    file: "core/zero_copy.ts",
    find: "    h.pins++;\n",
    replace: "",
    why: "a zero-copy frame released while its send waits in the queue goes out empty",
    tests: ["tests/zero_copy.test.ts"],
  },
  {
    id: "when-sent-ignores-libzmq",
    file: "core/zero_copy.ts",
    find: "  return h.pins > 0 || (!h.released && h.slot !== null && sharedElsewhere(h.slot));",
    replace: "  return h.pins > 0;",
    why: "whenSent resolves while libzmq (or an inproc receiver) still holds the message",
    tests: ["tests/zero_copy.test.ts"],
  },
  // ---- options, descriptors, timers (issue 11) ----
  {
    id: "use-fd-guard-off",
    file: "core/_guards.ts",
    find: "    if (fd >= 0 && families !== null) checkListeningFd(fd, families, context);",
    replace: "",
    why: "a raw USE_FD of a descriptor that is no listening socket reaches bind: libzmq aborts",
    tests: ["tests/options_guards.test.ts"],
  },
  {
    id: "zap-enforce-guard-off",
    file: "core/_guards.ts",
    find: '  if (getsockopt(ptr, SOCKET_OPTIONS.ZAP_DOMAIN, context) !== "") return;',
    replace: "  return;",
    why: "a PLAIN server enforcing a ZAP domain it lacks binds: libzmq aborts at the handshake",
    tests: ["tests/options_guards.test.ts"],
  },
  {
    id: "heartbeats-write-only-again",
    file: "core/options.ts",
    find: '  HEARTBEAT_IVL: { id: 75, kind: "int", get: true, set: true },',
    replace: '  HEARTBEAT_IVL: { id: 75, kind: "int", get: false, set: true },',
    why: "the heartbeat interval cannot be read back (what issue 11 found wrong)",
    tests: ["tests/options_table.test.ts"],
  },
  {
    id: "fd-waits-for-pollin-only",
    file: "core/fd.ts",
    find: "    pollEvents: toSys(events),",
    replace: "    pollEvents: 1,",
    why: "a descriptor waited on for POLLOUT is polled for POLLIN: a writable one is not seen",
    tests: ["tests/poller_fds.test.ts"],
  },
  {
    id: "timers-fire-after-stop",
    file: "poller/stream.ts",
    find: "        this.#timers.pause();\n        controller.abort();",
    replace: "        controller.abort();",
    why: "a loop's timers keep firing after stop() while its run settles",
    tests: ["tests/poller_timers.test.ts"],
  },
  {
    id: "peer-state-stale",
    file: "core/_backend.ts",
    find: "  getsockoptInt(sock, 15); // ZMQ_EVENTS\n",
    replace: "",
    why: "peerState answers from before libzmq's queued commands: a drained peer still looks full",
    tests: ["tests/peer_notifications.test.ts"],
  },
];
