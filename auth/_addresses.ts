// IP addresses as the authenticator compares them. libzmq reports an IPv4 client of a dual-stack
// (IPV6) socket as "::ffff:127.0.0.1", and IPv6 text has many spellings of one address, so both
// the allow/deny lists and the peer's address are brought to one canonical text first: IPv4 in
// dotted decimal (IPv4-mapped IPv6 included), IPv6 in RFC 5952 form (lower case, the longest run
// of zero groups as "::"). Anything else (a host name, a CIDR range) is not an address.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** The four octets of dotted-decimal IPv4 text, or null (leading zeros are refused: octal?). */
function parseIpv4(text: string): number[] | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const octets: number[] = [];
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith("0")) return null;
    const n = Number(part);
    if (n > 255) return null;
    octets.push(n);
  }
  return octets;
}

/** The eight 16-bit groups of IPv6 text (an IPv4 tail allowed), or null. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const side = (s: string, last: boolean): number[] | null => {
    if (s === "") return [];
    const parts = s.split(":");
    const groups: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (last && i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEX_GROUP.test(p)) {
        groups.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = side(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? side(halves[1], true) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...new Array(missing).fill(0), ...tail];
}

/** RFC 5952 text of eight groups. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * The canonical text of an IPv4 or IPv6 address, or null if `text` is not one. An IPv6 zone
 * ("fe80::1%eth0") is kept, in lower case.
 */
export function canonicalAddress(text: string): string | null {
  if (typeof text !== "string") return null;
  const v4 = parseIpv4(text);
  if (v4) return v4.join(".");
  let zone = "";
  let body = text;
  const percent = text.indexOf("%");
  if (percent >= 0) {
    zone = text.slice(percent).toLowerCase();
    body = text.slice(0, percent);
    if (zone.length < 2) return null;
  }
  const groups = parseIpv6(body);
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped && zone === "") {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join(".");
  }
  return formatIpv6(groups) + zone;
}
