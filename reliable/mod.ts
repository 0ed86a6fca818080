/**
 * Reliability patterns built on the core (the zguide's reliability chapter):
 *
 * - {@linkcode LazyPirateClient}: a request client that survives a server restart.
 * - Heartbeats: {@linkcode setZmtpHeartbeats} (libzmq's ZMTP PING/PONG), and
 *   {@linkcode Liveness} / {@linkcode Backoff} for application heartbeats.
 * - Paranoid Pirate (ZeroMQ RFC 6): {@linkcode ParanoidPirateQueue} and
 *   {@linkcode ParanoidPirateWorker}.
 * - Majordomo, MDP/0.1 (RFC 7, with RFC 8's `mmi.service`): {@linkcode MajordomoBroker},
 *   {@linkcode MajordomoWorker}, {@linkcode MajordomoClient} (REQ, retries) and
 *   {@linkcode AsyncMajordomoClient} (DEALER).
 * - Titanic (RFC 9) on SQLite: {@linkcode TitanicServer}, {@linkcode TitanicStore},
 *   {@linkcode TitanicClient}.
 *
 * @module
 */
export {
  LazyPirateClient,
  type LazyPirateOptions,
  type PirateRequestOptions,
  UnreachableError,
} from "./lazy_pirate.ts";
export {
  Backoff,
  type BackoffOptions,
  Liveness,
  type LivenessOptions,
  MAX_HEARTBEAT_TTL,
  setZmtpHeartbeats,
  type ZmtpHeartbeatOptions,
} from "./heartbeat.ts";
export {
  type Incoming,
  type SessionCodec,
  type SessionDefaults,
  type WorkerEvent,
  type WorkerHandler,
  WorkerSession,
  type WorkerSessionOptions,
  type WorkerStats,
} from "./worker_session.ts";
export { PPP_HEARTBEAT, PPP_READY } from "./ppp.ts";
export {
  ParanoidPirateQueue,
  type ParanoidPirateQueueOptions,
  type QueueEvent,
  type QueueStats,
} from "./ppp_queue.ts";
export { ParanoidPirateWorker, type ParanoidPirateWorkerOptions } from "./ppp_worker.ts";
export { MDP_CLIENT, MDP_COMMANDS, MDP_WORKER, type MdpCommand } from "./mdp.ts";
export {
  type BrokerEvent,
  type BrokerStats,
  MajordomoBroker,
  type MajordomoBrokerOptions,
  type ServiceInfo,
} from "./mdp_broker.ts";
export { MajordomoWorker, type MajordomoWorkerOptions } from "./mdp_worker.ts";
export { MajordomoClient, type MajordomoClientOptions } from "./mdp_client.ts";
export { AsyncMajordomoClient, type MajordomoReply } from "./mdp_async_client.ts";
export {
  isTitanicUuid,
  type StoredReply,
  type StoredRequest,
  TitanicStore,
} from "./titanic_store.ts";
export {
  type TitanicEvent,
  TitanicServer,
  type TitanicServerOptions,
  type TitanicStats,
} from "./titanic.ts";
export {
  TitanicClient,
  type TitanicClientOptions,
  TitanicError,
  type TitanicReply,
  type TitanicRequestOptions,
} from "./titanic_client.ts";
