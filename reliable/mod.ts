/**
 * Reliability patterns built on the core: {@linkcode LazyPirateClient}, a request client that
 * survives a server restart (the zguide's "Lazy Pirate"), and its {@linkcode UnreachableError}.
 *
 * @module
 */
export {
  LazyPirateClient,
  type LazyPirateOptions,
  type PirateRequestOptions,
  UnreachableError,
} from "./lazy_pirate.ts";
