// Webhook targets must be public: no loopback, private, link-local (cloud metadata), multicast,
// documentation, carrier-grade NAT or otherwise reserved address, however it is written.

export type AddressVerdict = "public" | "loopback" | "blocked";

/** [network, prefix length] pairs of IPv4 space that is not the public internet. */
const IPV4_BLOCKED: [number, number][] = [
  [0x00000000, 8], // "this" network, 0.0.0.0
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0xa9fe0000, 16], // 169.254/16 link-local, cloud metadata
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2/24 documentation
  [0xc0586300, 24], // 192.88.99/24 6to4 relay
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 documentation
  [0xcb007100, 24], // 203.0.113/24 documentation
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
];

function ipv4ToInt(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function classifyIpv4Int(value: number): AddressVerdict {
  if (value >>> 24 === 127) return "loopback";
  for (const [network, bits] of IPV4_BLOCKED) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === network) return "blocked";
  }
  return "public";
}

/** Eight 16-bit groups of an IPv6 address (with an optional dotted IPv4 tail), or null. */
function parseIpv6(address: string): number[] | null {
  let text = address.toLowerCase().split("%")[0] ?? "";
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = ipv4ToInt(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const read = (s: string) =>
    s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = read(halves[0] ?? "");
  const rest = halves.length === 2 ? read(halves[1] ?? "") : [];
  if (head.some(Number.isNaN) || rest.some(Number.isNaN)) return null;
  const explicit = head.length + rest.length + tail.length;
  if (explicit > 8 || (halves.length === 1 && explicit !== 8)) return null;
  return [...head, ...new Array(8 - explicit).fill(0), ...rest, ...tail];
}

function classifyIpv6(groups: number[]): AddressVerdict {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedV4 = ((g6 << 16) >>> 0) + g7;
  if (groups.slice(0, 7).every((g) => g === 0)) return g7 === 1 ? "loopback" : "blocked"; // ::1, ::, ::/96 compat
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0))
    return classifyIpv4Int(embeddedV4); // mapped / compatible
  if (g0 === 0x64 && g1 === 0xff9b) return classifyIpv4Int(embeddedV4); // NAT64
  if (g0 === 0x2002) return classifyIpv4Int(((g1 << 16) >>> 0) + g2); // 6to4 embeds an IPv4
  if ((g0 & 0xfe00) === 0xfc00) return "blocked"; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return "blocked"; // link/site-local
  if ((g0 & 0xff00) === 0xff00) return "blocked"; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return "blocked"; // documentation
  if (g0 === 0x2001 && g1 < 0x0200) return "blocked"; // IETF protocol assignments, Teredo
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return "blocked"; // discard-only
  if (g0 === 0x3fff && g1 < 0x1000) return "blocked"; // documentation (2024)
  if ((g0 & 0xe000) !== 0x2000) return "blocked"; // outside global unicast 2000::/3
  return "public";
}

/** Classifies an IP literal (IPv4 dotted, or IPv6 with or without brackets); null if not an IP. */
export function classifyIp(address: string): AddressVerdict | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = ipv4ToInt(bare);
  if (v4 !== null) return classifyIpv4Int(v4);
  if (bare.includes(":")) {
    const groups = parseIpv6(bare);
    return groups ? classifyIpv6(groups) : "blocked";
  }
  return null;
}

const INTERNAL_SUFFIXES = [
  ".localhost",
  ".local",
  ".internal",
  ".lan",
  ".home.arpa",
  ".intranet",
  ".corp",
  ".localdomain",
];

export type UriCheck = { ok: true; url: URL; hostIsName: boolean } | { ok: false; reason: string };

/**
 * What can be told from the URI alone. The WHATWG URL parser already rewrites IPv4 in decimal,
 * octal, hex and short forms ("2130706433", "0x7f.1", "0177.0.0.1") to dotted quads.
 */
export function checkUriSyntax(uri: string, allowLoopback: boolean): UriCheck {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, reason: "only http and https are allowed" };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const verdict = classifyIp(host);
  if (verdict === "public") return { ok: true, url, hostIsName: false };
  if (verdict === "loopback")
    return allowLoopback
      ? { ok: true, url, hostIsName: false }
      : { ok: false, reason: "loopback addresses are not allowed" };
  if (verdict === "blocked")
    return { ok: false, reason: "private, link-local, multicast and reserved addresses are not allowed" };
  if (host === "localhost" || host.endsWith(".localhost")) {
    return allowLoopback ? { ok: true, url, hostIsName: false } : { ok: false, reason: "localhost is not allowed" };
  }
  if (!host.includes(".") || INTERNAL_SUFFIXES.some((s) => host.endsWith(s)))
    return { ok: false, reason: "internal host names are not allowed" };
  return { ok: true, url, hostIsName: true };
}

export const DOH_ENDPOINT = "https://cloudflare-dns.com/dns-query";

/** A and AAAA records of a name through DNS over HTTPS (Workers have no resolver API). */
export async function resolveHost(name: string, fetcher: typeof fetch = fetch): Promise<string[]> {
  const lookups = ["A", "AAAA"].map(async (type) => {
    const res = await fetcher(`${DOH_ENDPOINT}?name=${encodeURIComponent(name)}&type=${type}`, {
      headers: { Accept: "application/dns-json" },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) throw new Error(`DNS lookup failed with HTTP ${res.status}`);
    const body = (await res.json()) as { Answer?: { type: number; data: string }[] };
    return (body.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data);
  });
  return (await Promise.all(lookups)).flat();
}

/** Every address a name resolves to must be public (loopback only where allowed). */
export function checkResolved(addresses: string[], allowLoopback: boolean): string | null {
  if (addresses.length === 0) return "the host name does not resolve";
  for (const address of addresses) {
    const verdict = classifyIp(address) ?? "blocked";
    if (verdict === "blocked" || (verdict === "loopback" && !allowLoopback))
      return `the host name resolves to a non-public address (${address})`;
  }
  return null;
}
