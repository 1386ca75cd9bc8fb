import { z } from "@hono/zod-openapi";
import type { RouteModule } from "../../lib/route";
import { MAX_FILE_BYTES } from "../../storage/objects";
import { readRoutes, writeRoutes, type RouteOptions, type RowScope } from "../resources/crud";
import { kindRules } from "../../resources/rules";
import { downloadRoute } from "../storage-files/download";
import { filePart, uploadRoute } from "../storage-files/upload";
import { AGENT_ROUTES, agentIdOf, SERVICE_AGENTS } from "./caller";

// The agent's own files (owner_id = the agent): upload, list, get, delete and download. Another
// agent's file, even of the same customer, is not there for it (404).

const base = `${SERVICE_AGENTS}/files`;

const ownFiles: RowScope = {
  async where(c) {
    return { sql: `"owner_type" = 'agent' AND "owner_id" = ?`, params: [await agentIdOf(c)] };
  },
  // owner_type and owner_id are set by the upload and never changed by any route.
  async owns(c, row) {
    return row.ownerType === "agent" && row.ownerId === (await agentIdOf(c));
  },
};

const OWN: RouteOptions = { ...AGENT_ROUTES, scope: ownFiles };

// The contract's form: the file and its type, which must be "talk" here. The contract requires the
// type; the Go SDK's form (PostServiceAgentsFilesMultipartBody) has only the file, so a missing
// type reads as "talk" and any other value is refused.
const AgentUploadForm = z
  .object({
    file: filePart,
    type: z
      .enum(["talk"])
      .optional()
      .openapi({ description: 'The file\'s purpose: "talk" (files shared in talks); "talk" when left out.' }),
  })
  .openapi("ServiceAgentFileUpload");

const upload = uploadRoute({
  path: base,
  tags: AGENT_ROUTES.tags,
  summary: "Upload a file as the logged-in agent",
  description: `Stores the multipart part \`file\` (at most ${MAX_FILE_BYTES} bytes), owned by the calling agent; \`type\` is "talk" (the default). Name and filename are the part's filename.`,
  mask: AGENT_ROUTES.mask,
  middleware: AGENT_ROUTES.middleware,
  form: AgentUploadForm,
  downloadBase: base,
  detail: "Uploaded by agent",
  type: "talk",
});

const [list, get] = readRoutes("files", base, {
  ...OWN,
  listDescription: "The calling agent's own files (those it uploaded).",
});
const { remove } = writeRoutes("files", base, OWN, kindRules.files);

export const serviceAgentFileRoutes: RouteModule[] = [upload, list, get, remove, downloadRoute(base, OWN)];
