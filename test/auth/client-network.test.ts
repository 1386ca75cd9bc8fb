import { describe, expect, it } from "vitest";
import { clientNetwork } from "../../src/auth/client-network";

// Per-client limits count an IPv6 client by its /64 (issue 21, defect 5).
describe("clientNetwork", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    ["2001:db8:1:1::1", "2001:db8:1:1::/64"],
    ["2001:db8:1:1::12c", "2001:db8:1:1::/64"],
    ["2001:0DB8:0001:0001:ffff:ffff:ffff:ffff", "2001:db8:1:1::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::ffff:c000:201", "192.0.2.1"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["2001:db8:1:1::/64", "2001:db8:1:1::/64"],
    ["unknown", "unknown"],
    ["not:an:address:::", "not:an:address:::"],
    ["1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"],
  ])("%s → %s", (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });
});
