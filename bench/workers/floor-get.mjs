// Floor of the single reads (GET /v1.0/customer, GET /v1.0/customers/{id}): one prepared
// SELECT by primary key on the same customers table the service reads, the row as JSON. Nothing
// else: no router, no validation, no auth. The id comes from the query string (?id=...).
export default {
  async fetch(request, env) {
    const id = new URL(request.url).searchParams.get("id") ?? "";
    const row = await env.DB.prepare("SELECT * FROM customers WHERE id = ?").bind(id).first();
    if (!row)
      return new Response(JSON.stringify({ error: "not found" }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      });
    return new Response(JSON.stringify(row), { headers: { "Content-Type": "application/json" } });
  },
};
