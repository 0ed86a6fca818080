/**
 * Faults on purpose, for tests and examples: {@linkcode FaultRelay}, a TCP relay that passes,
 * delays, freezes, cuts and partitions the traffic between two ZeroMQ peers.
 *
 * @module
 */
export { FaultRelay, type FaultRelayOptions, type RelayMode, type RelayStats } from "./relay.ts";
