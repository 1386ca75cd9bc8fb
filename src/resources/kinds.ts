import { z } from "@hono/zod-openapi";
import { ownedTables, type ResourceKind } from "../db/owned";
import { Permission, ZERO_UUID } from "../db/schema";
import { E164_PATTERN, e164Field, emailField, optionalEmailField, passwordField, phoneNumberField } from "../lib/validation";

/**
 * One API field of a resource kind: its wire name, its column, how it validates, and how it
 * travels. The CRUD routes, the OpenAPI schemas and the serializers are all derived from these.
 */
export interface FieldSpec {
  api: string;
  column: string;
  schema: z.ZodType;
  /** Must be given at creation. */
  required?: boolean;
  /** Set at creation only (PUT refuses it). */
  immutable?: boolean;
  /** Accepted, hashed, never returned. */
  secret?: boolean;
  /** Returned, never accepted. */
  readOnly?: boolean;
}

export interface KindSpec {
  kind: ResourceKind;
  /** Singular name for messages and the OpenAPI schema. */
  title: string;
  summaryNoun: string;
  fields: FieldSpec[];
  example: Record<string, unknown>;
  /** `table.column` of a UNIQUE index → the field it guards, answered with 409. */
  unique?: Record<string, string>;
}

const uuidField = z.uuid();
const shortText = (max = 255) => z.string().max(max);
const uuidList = z.array(uuidField).max(50);
export const mimeType = z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, { message: "a MIME type" }).max(127);
const IP_PATTERN = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]+(\/\d{1,3})?)$/;

// CustomerAgent, CustomerAdmin and CustomerManager bits, in any combination.
const permissionField = z
  .number()
  .int()
  .refine((p) => p > 0 && (p & ~(Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager)) === 0, {
    message: "must combine CustomerAgent (16), CustomerAdmin (32) and CustomerManager (64)",
  });

export const kindSpecs: Record<ResourceKind, KindSpec> = {
  agents: {
    kind: "agents",
    title: "Agent",
    summaryNoun: "agent",
    fields: [
      { api: "username", column: "username", schema: emailField, required: true, immutable: true },
      { api: "password", column: "passwordHash", schema: passwordField, required: true, immutable: true, secret: true },
      { api: "permission", column: "permission", schema: permissionField },
      { api: "is_guest", column: "isGuest", schema: z.boolean(), readOnly: true },
    ],
    example: { name: "John Smith", detail: "Sales", username: "john@acme-corp.com", password: "a-strong-password", permission: 16 },
    unique: { "agents.username": "username" },
  },
  numbers: {
    kind: "numbers",
    title: "Number",
    summaryNoun: "number",
    fields: [
      { api: "number", column: "number", schema: e164Field, required: true, immutable: true },
      { api: "call_flow_id", column: "callFlowId", schema: uuidField },
      { api: "message_flow_id", column: "messageFlowId", schema: uuidField },
    ],
    example: { name: "Main line", detail: "", number: "+15551234567", call_flow_id: ZERO_UUID },
    unique: { "numbers.number": "number" },
  },
  flows: {
    kind: "flows",
    title: "Flow",
    summaryNoun: "flow",
    fields: [
      { api: "type", column: "type", schema: z.enum(["flow", "conference", "queue", "campaign"]) },
      { api: "actions", column: "actions", schema: z.array(z.record(z.string(), z.unknown())).max(100) },
    ],
    example: { name: "Main IVR", detail: "", type: "flow", actions: [{ type: "answer" }, { type: "talk", option: { text: "Hello" } }] },
  },
  queues: {
    kind: "queues",
    title: "Queue",
    summaryNoun: "queue",
    fields: [
      { api: "routing_method", column: "routingMethod", schema: z.enum(["random", "round_robin"]) },
      { api: "tag_ids", column: "tagIds", schema: uuidList },
      { api: "wait_timeout", column: "waitTimeout", schema: z.number().int().min(0).max(86_400_000) },
    ],
    example: { name: "Sales Queue", detail: "", routing_method: "random", tag_ids: [], wait_timeout: 60000 },
  },
  trunks: {
    kind: "trunks",
    title: "Trunk",
    summaryNoun: "trunk",
    fields: [
      { api: "domain_name", column: "domainName", schema: z.string().regex(/^[a-z0-9-]{0,63}$/, { message: "lowercase letters, digits and '-'" }) },
      { api: "allowed_ips", column: "allowedIps", schema: z.array(z.string().regex(IP_PATTERN, { message: "an IP address or CIDR" })).max(50) },
    ],
    example: { name: "Office PBX", detail: "", domain_name: "acme-office", allowed_ips: ["203.0.113.10"] },
  },
  extensions: {
    kind: "extensions",
    title: "Extension",
    summaryNoun: "extension",
    fields: [
      { api: "extension", column: "extension", schema: z.string().regex(/^[0-9A-Za-z_.-]{1,32}$/, { message: "1-32 letters, digits, '_', '.', '-'" }), required: true, immutable: true },
      { api: "password", column: "passwordHash", schema: passwordField, required: true, secret: true },
    ],
    example: { name: "Front desk", detail: "", extension: "1001", password: "sip-secret-123" },
    unique: { "extensions.customer_id": "extension", "extensions.extension": "extension" },
  },
  files: {
    kind: "files",
    title: "File",
    summaryNoun: "file",
    // The contract's StorageManagerFile. Uploads (POST /v1.0/storage_files, multipart) fill the
    // owner, size and download fields from the request; the JSON create records metadata only.
    fields: [
      { api: "type", column: "type", schema: z.enum(["", "rag", "talk", "recording"]) },
      { api: "owner_type", column: "ownerType", schema: z.enum(["", "agent", "accesskey"]), readOnly: true },
      { api: "owner_id", column: "ownerId", schema: uuidField, readOnly: true },
      { api: "reference_type", column: "referenceType", schema: z.enum(["", "normal", "recording"]) },
      { api: "reference_id", column: "referenceId", schema: uuidField },
      { api: "filename", column: "filename", schema: shortText() },
      { api: "content_type", column: "contentType", schema: mimeType, immutable: true },
      { api: "filesize", column: "sizeBytes", schema: z.number().int().min(0), immutable: true },
      { api: "uri_download", column: "uriDownload", schema: z.string(), readOnly: true },
    ],
    example: { name: "Greeting", detail: "", filename: "greeting.wav", content_type: "audio/wav", filesize: 48000 },
  },
  billing_accounts: {
    kind: "billing_accounts",
    title: "BillingAccount",
    summaryNoun: "billing account",
    fields: [
      { api: "balance", column: "balance", schema: z.number().finite().min(0).max(1e12) },
      { api: "currency", column: "currency", schema: z.string().regex(/^[A-Z]{3}$/, { message: "an ISO 4217 code such as USD" }) },
      { api: "payment_type", column: "paymentType", schema: z.enum(["prepaid", "postpaid"]) },
    ],
    example: { name: "Main account", detail: "", balance: 100, currency: "USD", payment_type: "prepaid" },
  },
  tags: {
    kind: "tags",
    title: "Tag",
    summaryNoun: "tag",
    fields: [],
    example: { name: "sales", detail: "Sales department" },
  },
  transcriptions: {
    kind: "transcriptions",
    title: "Transcription",
    summaryNoun: "transcription",
    fields: [
      { api: "reference_type", column: "referenceType", schema: z.enum(["", "call", "recording", "conference"]) },
      { api: "reference_id", column: "referenceId", schema: uuidField },
      { api: "language", column: "language", schema: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: "a BCP 47 tag such as en-US" }) },
      { api: "status", column: "status", schema: z.enum(["progressing", "done"]) },
    ],
    example: { name: "Call 42", detail: "", reference_type: "call", reference_id: ZERO_UUID, language: "en-US", status: "done" },
  },
  contacts: {
    kind: "contacts",
    title: "Contact",
    summaryNoun: "contact",
    fields: [
      { api: "first_name", column: "firstName", schema: shortText() },
      { api: "last_name", column: "lastName", schema: shortText() },
      { api: "email", column: "email", schema: optionalEmailField },
      { api: "phone_number", column: "phoneNumber", schema: phoneNumberField },
      { api: "company", column: "company", schema: shortText() },
    ],
    example: { name: "Jane Doe", detail: "", first_name: "Jane", last_name: "Doe", email: "jane@example.com", phone_number: "+15559876543", company: "Example Ltd" },
  },
};

export const tableOf = (kind: ResourceKind) => ownedTables[kind];

/** Numbers outside the platform's virtual range (+899…) are PSTN numbers. */
export const isVirtualNumber = (number: string) => number.startsWith("+899") && E164_PATTERN.test(number);
