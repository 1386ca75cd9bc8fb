// Floor of the usage read (GET /v1.0/customer/usage): the very statement the service runs
// (imported from src/plans/usage-sql.ts and bundled with esbuild into bench/.build/), prepared
// once and bound per request, its row as JSON. No router, no auth, no shaping of the answer.
import { usageSql } from "../../src/plans/usage-sql.ts";

const SQL = usageSql("?");

export default {
  async fetch(request, env) {
    const id = new URL(request.url).searchParams.get("id") ?? "";
    const row = await env.DB.prepare(SQL).bind(id, "free").first();
    return new Response(JSON.stringify(row), { headers: { "Content-Type": "application/json" } });
  },
};
