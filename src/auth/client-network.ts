/**
 * The network a client address stands for, for per-client limits: an IPv4 address as it is, an
 * IPv6 address by its /64 (one subscriber usually holds a whole /64, so each of its addresses
 * must not count as another client). Anything that is not an address is kept as it is.
 */
export function clientNetwork(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (!address.includes(":") || address.endsWith("/64")) return address;
  const groups = expandIpv6(address.split("%")[0] ?? "");
  if (!groups) return address;
  // An IPv4 client written as IPv6 (::ffff:a.b.c.d) is that IPv4 client.
  if (groups.slice(0, 6).join(":") === "0:0:0:0:0:ffff") {
    const [hi, lo] = groups.slice(6).map((g) => Number.parseInt(g, 16)) as [number, number];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  }
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` and an embedded IPv4 tail expanded), or null. */
function expandIpv6(address: string): string[] | null {
  let text = address;
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return null;
    const [a, b, c, d] = bytes as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) => (part ? part.split(":") : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
