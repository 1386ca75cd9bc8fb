// Floor of the agent's reads (GET /v1.0/service_agents/me and …/extensions with an agent's JWT):
// the same SQL the service sends, in the same single D1 batch — the credential lookup (the agent
// joined with its customer) beside the read — and the rows as JSON. Nothing else: no router, no
// JWT check, no validation, no serialization. ?agent= and ?customer= name the caller.
const LOOKUP = `SELECT a.id AS agent_id, a.username AS agent_username, a.permission AS agent_permission,
  a.token_version AS agent_token_version, c.*
  FROM agents a LEFT JOIN customers c ON c.id = a.customer_id WHERE a.id = ? LIMIT 1`;
const ME = "SELECT * FROM agents WHERE id = ? AND customer_id = ? LIMIT 1";
// The agent's own extensions: those its `extension` addresses name; the first page, newest first.
const EXTENSIONS = `SELECT * FROM "extensions" WHERE "customer_id" = ? AND (("id" IN (SELECT lower(json_extract(a.value, '$.target')) FROM agents AS g, json_each(g.addresses) AS a
        WHERE g.id = ? AND json_extract(a.value, '$.type') = 'extension'))) ORDER BY "tm_create" DESC, "id" DESC LIMIT ?`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const agent = url.searchParams.get("agent") ?? "";
    const customer = url.searchParams.get("customer") ?? "";
    const read =
      url.pathname === "/extensions"
        ? env.DB.prepare(EXTENSIONS).bind(customer, agent, 101)
        : env.DB.prepare(ME).bind(agent, customer);
    const [who, rows] = await env.DB.batch([env.DB.prepare(LOOKUP).bind(agent), read]);
    if (!who.results[0])
      return new Response(JSON.stringify({ error: "not found" }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      });
    const body = url.pathname === "/extensions" ? { result: rows.results.slice(0, 100) } : rows.results[0];
    return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
  },
};
