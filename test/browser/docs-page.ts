// What "every operation can be reached in /docs" means, for a page driven by playwright-core, and a
// synthetic document big enough to check it at any size.
//
// Swagger UI (>= 5.33, PR #11024) virtualizes the operation list once tags + listed operations reach
// 150: only the items near the viewport are in the DOM, so reading the page's text finds only some.
// A person reaches an operation by opening its tag and scrolling to it; so does reachOperations():
// tag by tag, it opens the tag, scrolls the page from top to bottom collecting the operations
// shown (method and path), and closes the tag again.
import type { Page } from "playwright-core";

export interface DocOperation {
  method: string;
  path: string;
  operationId: string;
  tags: string[];
}

export interface OpenApiDocument {
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, { operationId?: string; tags?: string[]; summary?: string }>>;
  [key: string]: unknown;
}

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

export function operationsOf(document: OpenApiDocument): DocOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({
        method,
        path,
        // Swagger UI shows the method and the path of every operation, with or without an operationId.
        operationId: `${method.toUpperCase()} ${path}`,
        tags: op.tags?.length ? op.tags : ["default"],
      })),
  );
}

/** Every tag with its operations, in the document's tag order (then any tag it does not list). */
export function operationsByTag(document: OpenApiDocument): Map<string, DocOperation[]> {
  const byTag = new Map<string, DocOperation[]>((document.tags ?? []).map((t) => [t.name, []]));
  for (const op of operationsOf(document))
    for (const tag of op.tags) {
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push(op);
    }
  for (const [tag, ops] of byTag) if (ops.length === 0) byTag.delete(tag);
  return byTag;
}

/**
 * The real document grown past any size the service will reach: `extraTags` more tags of `perTag`
 * operations each, plus one tag of `bigTag` operations (alone past Swagger UI's threshold of 150, so
 * opening it is virtualized too). The copies reuse a real operation's description under new paths.
 */
export function syntheticDocument(
  real: OpenApiDocument,
  { extraTags = 10, perTag = 20, bigTag = 160 } = {},
): OpenApiDocument {
  const template = Object.values(real.paths["/v1.0/tags/{id}"] ?? Object.values(real.paths)[0] ?? {})[0] ?? {};
  const paths: OpenApiDocument["paths"] = { ...real.paths };
  const tags = [...(real.tags ?? [])];
  const add = (tag: string, count: number, slug: string) => {
    tags.push({ name: tag, description: `Synthetic operations (${count}) to check /docs at size.` });
    for (let i = 0; i < count; i++) {
      const path = `/v1.0/synthetic/${slug}/item_${i}/{id}`;
      paths[path] = {
        get: {
          ...template,
          tags: [tag],
          operationId: `GetSynthetic${slug}Item${i}Id`,
          summary: `Synthetic ${slug} ${i}`,
        },
      };
    }
  };
  for (let t = 0; t < extraTags; t++) add(`Synthetic ${t + 1}`, perTag, `S${t + 1}`);
  add("Synthetic bulk", bigTag, "Bulk");
  return { ...real, tags, paths };
}

// Run in the page (as source text: this project's TypeScript has no DOM types).
const TWO_FRAMES = "new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))";
const TO_TOP = "window.scrollTo(0, 0)";
const SCROLL_ON =
  "(() => { const before = window.scrollY; window.scrollBy(0, Math.floor(window.innerHeight * 0.7)); return window.scrollY !== before; })()";

async function settle(page: Page) {
  // Two animation frames: the virtualizer measures, then React renders what is in view.
  await page.evaluate(TWO_FRAMES);
}

const scrollOn = async (page: Page) => (await page.evaluate(SCROLL_ON)) === true;

/** The operationIds shown while scrolling the page from top to bottom (all of them if none is virtualized). */
async function scrollAndCollect(page: Page, wanted: Set<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  await page.evaluate(TO_TOP);
  for (let step = 0; step < 2000; step++) {
    await settle(page);
    const shown = await page.$$eval(".opblock", (els) =>
      els.map((e) => {
        const method = (e.querySelector(".opblock-summary-method")?.textContent ?? "").trim().toUpperCase();
        const path = e.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "";
        return `${method} ${path}`;
      }),
    );
    for (const id of shown) seen.add(id);
    if ([...wanted].every((id) => seen.has(id))) break;
    if (!(await scrollOn(page))) break;
  }
  return seen;
}

export interface Reach {
  /** Tags whose header is not on the page. */
  missingTags: string[];
  /** `tag: operationId` of each operation not reached by opening its tag and scrolling. */
  missingOperations: string[];
  /** Tags whose operations Swagger UI rendered virtualized when opened. */
  virtualizedTags: string[];
}

const tagHeader = (page: Page, tag: string, open?: boolean) =>
  page.locator(
    `h3.opblock-tag[data-tag="${tag.replace(/["\\]/g, "\\$&")}"]${open === undefined ? "" : `[data-is-open="${open}"]`}`,
  );

/** Scrolls down from the top until the tag's header is in the DOM (it may be virtualized away). */
async function findHeader(page: Page, tag: string): Promise<boolean> {
  await page.evaluate(TO_TOP);
  for (let step = 0; step < 2000; step++) {
    await settle(page);
    if ((await tagHeader(page, tag).count()) === 1) {
      await tagHeader(page, tag).scrollIntoViewIfNeeded();
      return true;
    }
    if (!(await scrollOn(page))) return false;
  }
  return false;
}

/** Opens each tag in turn and scrolls to every one of its operations; says what could not be reached. */
export async function reachOperations(page: Page, document: OpenApiDocument): Promise<Reach> {
  const reach: Reach = { missingTags: [], missingOperations: [], virtualizedTags: [] };
  for (const [tag, ops] of operationsByTag(document)) {
    if (!(await findHeader(page, tag))) {
      reach.missingTags.push(tag);
      continue;
    }
    await tagHeader(page, tag).click();
    await tagHeader(page, tag, true).waitFor();
    const wanted = new Set(ops.map((op) => op.operationId));
    const seen = await scrollAndCollect(page, wanted);
    if ((await page.locator(".operations-virtual").count()) > 0) reach.virtualizedTags.push(tag);
    for (const id of wanted) if (!seen.has(id)) reach.missingOperations.push(`${tag}: ${id}`);
    // Closed again, so the next tag is looked for as a person would, among the tags alone.
    if (!(await findHeader(page, tag))) throw new Error(`the open tag ${tag} lost its header`);
    await tagHeader(page, tag).click();
    await tagHeader(page, tag, false).waitFor();
  }
  return reach;
}
