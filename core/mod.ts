/**
 * The core: libzmq through Deno FFI. {@linkcode Context}, {@linkcode Socket},
 * {@linkcode ZmqError} and the constants and types they use.
 *
 * @module
 */
export {
  Context,
  type ContextCloseOptions,
  type ContextHandle,
  type ContextOptions,
} from "./context.ts";
export { type CloseOptions, type Frame, type OperationOptions, Socket } from "./socket.ts";
export {
  DRAFT_SOCKET_TYPES,
  type DraftSocketType,
  draftSocketType,
  MissingCapabilityError,
} from "./draft.ts";
export {
  Message,
  MESSAGE_PROPERTIES,
  type RecvMessageOptions,
  type SendOptions,
} from "./message.ts";
export {
  type ErrorContext,
  LIBRARY_ERROR_CODES,
  type LibraryErrorCode,
  ZmqError,
  type ZmqErrorCode,
  type ZmqErrorOptions,
} from "./errors.ts";
export { type CopyOptions, ZERO_COPY_MIN, ZeroCopyFrame } from "./zero_copy.ts";
export {
  canonicalSocketType,
  CONTEXT_OPTION_SPECS,
  CONTEXT_OPTIONS,
  type ContextOptionName,
  type ContextOptionResult,
  type ContextOptionSpec,
  type ContextOptionValue,
  type ErrnoName,
  type OptionInput,
  type OptionKind,
  type OptionOutput,
  type OptionSpec,
  POLLERR,
  POLLIN,
  POLLOUT,
  SOCKET_OPTION_ALIASES,
  SOCKET_OPTIONS,
  SOCKET_TYPE_ALIASES,
  SOCKET_TYPES,
  type SocketOptionAlias,
  type SocketOptionName,
  type SocketOptionResult,
  type SocketOptionTarget,
  type SocketOptionValue,
  type SocketType,
  type SocketTypeAlias,
} from "./constants.ts";
export { zmqHas, zmqLibraryPath, zmqVersion } from "./info.ts";
export { fdReadiness, waitFd } from "./fd.ts";
export { type Codec, type Decoder, type Encoder, jsonCodec } from "./codec.ts";
export { LibraryNotFoundError, MissingPermissionError } from "./_loader.ts";
export {
  type CurveKeypair,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  Z85_ALPHABET,
  z85Decode,
  z85Encode,
} from "./curve.ts";
export {
  connectAndWait,
  type ConnectAndWaitOptions,
  monitor,
  MONITOR_EVENTS,
  type MonitorEvent,
  type MonitorEventDetails,
  type MonitorEventName,
  type MonitorOptions,
  type MonitorVersion,
  requestPipesStats,
  type SocketMonitor,
  waitForEvent,
  type WaitForEventOptions,
} from "./monitor.ts";
export { Service, type ServiceOptions } from "./service.ts";
