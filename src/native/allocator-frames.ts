/**
 * Frames that allocate on someone else's behalf: the allocator itself and the thin
 * wrappers libraries put around it. Blame goes to the first frame after them.
 */
const WRAPPER_NAMES = new Set([
  'malloc', 'calloc', 'realloc', 'reallocarray', 'free', 'valloc', 'pvalloc', 'memalign', 'aligned_alloc', 'posix_memalign',
  'strdup', 'strndup', '__strdup', '__libc_malloc', '__libc_calloc', '__libc_realloc', '__libc_memalign',
  'operator new(unsigned long)', 'operator new[](unsigned long)', 'operator new(unsigned long, std::nothrow_t const&)',
  'operator new[](unsigned long, std::nothrow_t const&)', 'operator new(unsigned long, std::align_val_t)',
  'operator new[](unsigned long, std::align_val_t)',
  'uv__malloc', 'uv__calloc', 'uv__realloc', 'uv__strdup', 'uv__reallocf', 'uv_malloc', 'uv_calloc', 'uv_realloc',
  'PyMem_RawMalloc', 'PyMem_RawCalloc', 'PyMem_RawRealloc', '_PyMem_RawMalloc', '_PyMem_RawCalloc', '_PyMem_RawRealloc',
  'PyMem_Malloc', 'PyMem_Calloc', 'PyMem_Realloc', '_PyMem_DebugRawAlloc', '_PyObject_Malloc', '_PyObject_Calloc', '_PyObject_Realloc',
  'g_malloc', 'g_malloc0', 'g_realloc', 'g_try_malloc', 'g_try_malloc0',
  'xmalloc', 'xcalloc', 'xrealloc',
  '__rust_alloc', '__rust_alloc_zeroed', '__rust_realloc', '__rdl_alloc', '__rdl_alloc_zeroed', '__rdl_realloc',
  'alloc::alloc::alloc', 'alloc::alloc::alloc_zeroed', 'alloc::alloc::realloc', 'alloc::alloc::exchange_malloc',
  'alloc::raw_vec::finish_grow', 'alloc::alloc::Global::alloc_impl',
  'node::UncheckedMalloc', 'node::UncheckedCalloc', 'node::UncheckedRealloc', 'node::Malloc', 'node::Calloc', 'node::Realloc',
]);

const WRAPPER_PATTERNS = [
  /^CRYPTO_(m|z|re|secure_m|secure_z|clear_re)alloc$/, // OpenSSL
  /^(OPENSSL|BUF|ossl)_.*(alloc|dup)$/i,
  /^je_/, // jemalloc's internals
  /^_?(imalloc|ialloc|iralloc|arena_|tcache_|prof_|malloc_default|do_rallocx|ifree)/,
  /^std::__new_allocator<.*>::allocate/,
  /^std::allocator_traits<.*>::allocate/,
  /^std::allocator<.*>::allocate/,
  /^__gnu_cxx::new_allocator<.*>::allocate/,
  /^alloc::raw_vec::/,
];

const ALLOCATOR_LIBRARY = /\/lib(jemalloc|tcmalloc|mimalloc)[^/]*\.so/;

/** True for a frame that only passes an allocation on: skip it when blaming. */
export function isAllocatorFrame(library: string, functionName: string): boolean {
  if (ALLOCATOR_LIBRARY.test(library)) return true;
  if (WRAPPER_NAMES.has(functionName)) return true;
  return WRAPPER_PATTERNS.some((pattern) => pattern.test(functionName));
}
