#!/usr/bin/env node
// Fails when the value imports of src/ form a cycle. A cycle makes the order modules initialise
// in depend on which one is imported first (a constant read before it is defined is undefined),
// and it blurs which layer depends on which. `import type` is erased by the compiler and does
// not count (`import { type A }` is kept as `import {}`: it does); dynamic `import()` is lazy.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ["src"];

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith(".")) return null; // packages and cloudflare: modules
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.mts`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return null;
}

/** Whether an import or export declaration brings in a value at run time. */
function isValueEdge(node) {
  if (ts.isImportDeclaration(node)) {
    // `import { type A }` still loads the module: with verbatimModuleSyntax it compiles to `import {} from`.
    return !node.importClause?.isTypeOnly;
  }
  if (ts.isExportDeclaration(node)) return !node.isTypeOnly && node.moduleSpecifier !== undefined;
  return false;
}

const graph = new Map();
for (const dir of dirs) {
  for (const file of filesUnder(resolve(root, dir))) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const edges = [];
    for (const node of source.statements) {
      if (!isValueEdge(node) || !node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) continue;
      const target = resolveImport(file, node.moduleSpecifier.text);
      if (target) edges.push(target);
    }
    graph.set(file, edges);
  }
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const indexOf = new Map();
const lowOf = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(v) {
  indexOf.set(v, index);
  lowOf.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!indexOf.has(w)) {
      visit(w);
      lowOf.set(v, Math.min(lowOf.get(v), lowOf.get(w)));
    } else if (onStack.has(w)) {
      lowOf.set(v, Math.min(lowOf.get(v), indexOf.get(w)));
    }
  }
  if (lowOf.get(v) === indexOf.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);

if (cycles.length === 0) {
  console.log(`No value import cycles in ${dirs.join(", ")} (${graph.size} modules).`);
} else {
  console.error(`${cycles.length} value import cycle(s); break them, or import types with \`import type\`:`);
  for (const component of cycles) {
    const inCycle = new Set(component);
    console.error(`\n  ${component.length} modules:`);
    for (const file of component.sort()) {
      const to = (graph.get(file) ?? []).filter((t) => inCycle.has(t)).map((t) => relative(root, t));
      console.error(`    ${relative(root, file)} -> ${to.join(", ")}`);
    }
  }
  process.exit(1);
}
