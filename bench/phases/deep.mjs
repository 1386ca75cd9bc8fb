// Deep pages: the first page and page N (via real next_page_tokens) loaded alternately on one
// connection: keyset pagination should cost the same at any depth.
import { runLoad } from "../lib/load.mjs";
import { median, ratio, spread } from "../lib/stats.mjs";

export async function deepPages({ P, log, api, urls, adminToken }) {
  const pageSize = 100;
  const depth = Math.max(2, Math.min(P.deepPages, Math.floor(P.customers / pageSize)));
  log(`deep pages: walking ${depth} pages of ${pageSize} through next_page_token`);
  let token = "";
  const walk = [];
  for (let page = 1; page < depth; page++) {
    const t0 = performance.now();
    const body = await api.ok(
      "GET",
      `/v1.0/customers?page_size=${pageSize}${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      { token: adminToken },
    );
    walk.push(performance.now() - t0);
    if (!body.next_page_token) throw new Error(`ran out of pages at page ${page}`);
    token = body.next_page_token;
  }
  const firstUrl = `${urls.main}/v1.0/customers?page_size=${pageSize}`;
  const deepUrl = `${firstUrl}&page_token=${encodeURIComponent(token)}`;
  const check = await api.ok("GET", deepUrl.slice(urls.main.length), { token: adminToken });
  if (check.result.length !== pageSize) throw new Error(`page ${depth} has ${check.result.length} items`);
  const headers = { Authorization: `Bearer ${adminToken}` };
  if (P.warmup > 0) await runLoad({ url: deepUrl, headers }, { connections: 1, duration: P.warmup });
  const runs = [];
  for (let r = 0; r < P.runs; r++) {
    const pair = {};
    for (const which of r % 2 ? ["deep", "first"] : ["first", "deep"]) {
      pair[which] = await runLoad(
        { url: which === "first" ? firstUrl : deepUrl, headers },
        { connections: 1, duration: P.duration },
      );
    }
    runs.push(pair);
  }
  const pick = (which) => ({
    rps: median(runs.map((r) => r[which].rps)),
    p50: median(runs.map((r) => r[which].p50)),
    p99: median(runs.map((r) => r[which].p99)),
    loaderCpuShare: median(runs.map((r) => r[which].loaderCpuShare)),
  });
  return {
    customers: P.customers,
    pageSize,
    depth,
    walkMedianMs: median(walk),
    first: pick("first"),
    deep: pick("deep"),
    p50Ratio: spread(runs.map((r) => ratio(r.deep.p50, r.first.p50))),
    p99Ratio: spread(runs.map((r) => ratio(r.deep.p99, r.first.p99))),
    rpsRatio: spread(runs.map((r) => ratio(r.deep.rps, r.first.rps))),
    runs,
  };
}
