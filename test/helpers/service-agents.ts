import { expect } from "vitest";
import { api, createAgent, type ApiResponse, type TestCustomer } from "./index";

export const S = "/v1.0/service_agents";

export interface TestAgent {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** An agent of the customer with the given permission bits, logged in, with its id. */
export async function agentOf(customer: TestCustomer, permission = 16): Promise<TestAgent> {
  const agent = await createAgent(customer.id, permission);
  const me = await api("GET", `${S}/me`, { token: agent.token });
  expect(me.status, JSON.stringify(me.body)).toBe(200);
  return { ...agent, id: me.body.id };
}

const BOUNDARY = "agent-upload-3f9c";

/** A multipart body as the Go SDK's multipart.Writer frames it: the file part, then form fields. */
export function multipart(filename: string, content: string, fields: Record<string, string> = { type: "talk" }) {
  const parts = [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`,
    ...Object.entries(fields).map(
      ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    ),
  ];
  return {
    rawBody: `${parts.join("")}--${BOUNDARY}--\r\n`,
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

/** Uploads a file as the agent (POST /v1.0/service_agents/files, type "talk"). */
export async function uploadAsAgent(token: string, filename: string, content: string): Promise<ApiResponse> {
  const res = await api("POST", `${S}/files`, { token, ...multipart(filename, content) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

export const ids = (res: ApiResponse) => (res.body.result as { id: string }[]).map((r) => r.id);
