/**
 * Prisma 7 plans every query in a WebAssembly query compiler. By default each thread decodes the
 * module from a ~4.4 MB base64 source and compiles it: two copies of its code in the bot (serving and
 * processing thread), plus the base64 text kept alive by the module cache. A compiled
 * CompiledWasm can be handed to a worker thread, and the thread's instance then runs on the same
 * compiled code: compiled once per process, ~25 MB less for the second thread (bench:webhook).
 *
 * The hook is Prisma's own: the client asks its `compilerWasm.getQueryCompilerWasmModule()` (shared by
 * every client of the generated class in this thread) for the module. If a Prisma release changes
 * that shape, nothing is patched and each thread compiles its own copy as before.
 */

/** A compiled WebAssembly.Module (opaque here: the project's TypeScript lib has no WebAssembly types). */
export type CompiledWasm = object;

interface CompilerWasm {
  getQueryCompilerWasmModule: (() => Promise<CompiledWasm>) & { shared?: true };
}

let compiled: Promise<CompiledWasm> | null = null;

function compilerWasmOf(db: object): CompilerWasm | null {
  const cw = (db as { _engineConfig?: { compilerWasm?: Partial<CompilerWasm> } })._engineConfig?.compilerWasm;
  return cw && typeof cw.getQueryCompilerWasmModule === "function" ? (cw as CompilerWasm) : null;
}

/** The base64 source is needed only once: drop it from the module cache so it can be collected. */
function forgetBase64Source(): void {
  for (const key of Object.keys(require.cache)) if (/query_compiler_.*wasm-base64/.test(key)) delete require.cache[key];
}

/**
 * Makes this thread's Prisma clients use one compiled module: `given` (compiled by the parent thread),
 * or the first one compiled here.
 */
export function shareQueryCompiler(db: object, given?: CompiledWasm): void {
  const cw = compilerWasmOf(db);
  if (!cw) return;
  if (given) compiled ??= Promise.resolve(given);
  if (cw.getQueryCompilerWasmModule.shared) return;
  const original = cw.getQueryCompilerWasmModule.bind(cw);
  const shared = () =>
    (compiled ??= original().then(
      (m) => {
        forgetBase64Source();
        return m;
      },
      (e: unknown) => {
        compiled = null; // the next query tries again (and fails the same way Prisma would)
        throw e;
      },
    ));
  cw.getQueryCompilerWasmModule = Object.assign(shared, { shared: true as const });
}

/** The compiled module for a worker thread (compiling it here first if no query has run yet), or undefined. */
export async function compiledQueryCompiler(db: object): Promise<CompiledWasm | undefined> {
  const cw = compilerWasmOf(db);
  if (!cw?.getQueryCompilerWasmModule.shared) return undefined;
  return cw.getQueryCompilerWasmModule().catch(() => undefined);
}
