// Floor of the 100-row list (GET /v1.0/customers?page_size=100): the same keyset SELECT the
// service runs for a first page (live customers, newest first, one extra row to know whether
// another page exists), prepared once, the rows as JSON. No router, no validation, no auth.
const SQL = "SELECT * FROM customers WHERE status <> 'deleted' ORDER BY tm_create DESC, id DESC LIMIT 101";

export default {
  async fetch(_request, env) {
    const { results } = await env.DB.prepare(SQL).all();
    return new Response(JSON.stringify({ result: results.slice(0, 100) }), {
      headers: { "Content-Type": "application/json" },
    });
  },
};
