import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * C++ (Itanium) and Rust (legacy and v0) names made readable, through Mozilla's
 * gecko-profiler-demangle (the Firefox profiler's WASM build of the cpp_demangle and
 * rustc-demangle crates; nothing compiles on install). Its package is built for
 * bundlers, so the WASM module is instantiated here by hand. A name it cannot read
 * (or a failure to load it) comes back unchanged.
 */
type DemangleAny = (name: string) => string;

/** The part of the WebAssembly global used here (the compiler's lib settings leave it out). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

let demangler: DemangleAny | null | undefined;

export function demangle(name: string): string {
  if (!name.startsWith('_Z') && !name.startsWith('_R')) return withoutCloneSuffix(name);
  demangler ??= loadDemangler();
  if (!demangler) return name;
  try {
    return shorten(withoutCloneSuffix(demangler(name)));
  } catch {
    return name;
  }
}

/** GCC's clones of a function (`remember.isra.0`, `f.constprop.2`, `g.part.0`, `h.cold`) are that function to a person. */
function withoutCloneSuffix(name: string): string {
  return name.replace(/ \[clone [^\]]*\]/g, '').replace(/(\.(isra|constprop|part|cold|lto_priv|localalias)(\.\d+)?)+$/, '');
}

/** Rust's legacy names end in a hash (`::h0123456789abcdef`) that says nothing to a person. */
function shorten(name: string): string {
  return name.replace(/::h[0-9a-f]{16}$/, '');
}

function loadDemangler(): DemangleAny | null {
  try {
    const require = createRequire(import.meta.url);
    const glue = require('gecko-profiler-demangle/index_bg.js') as { __wbg_set_wasm(exports: unknown): void; demangle_any: DemangleAny };
    const wasmPath = require.resolve('gecko-profiler-demangle/index_bg.wasm');
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(readFileSync(wasmPath)), { './index_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports['__wbindgen_start'] as () => void)();
    return glue.demangle_any;
  } catch {
    return null;
  }
}
