/**
 * Security: a ZAP authenticator (allow/deny by IP, PLAIN passwords, CURVE client keys),
 * helpers that set a socket's CURVE or PLAIN options by role, and CURVE certificate files.
 *
 * @module
 */
export {
  Authenticator,
  type AuthenticatorOptions,
  type CurveAuthOptions,
  type PlainAuthOptions,
  ZAP_ENDPOINT,
  type ZapDecision,
  type ZapIdentity,
} from "./authenticator.ts";
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  type ServerSecurityOptions,
} from "./mechanisms.ts";
export {
  type Certificate,
  type CertificateFiles,
  createCertificate,
  loadCertificate,
  loadPublicKeys,
  parseCertificate,
  PUBLIC_SUFFIX,
  saveCertificate,
  SECRET_SUFFIX,
} from "./certs.ts";
