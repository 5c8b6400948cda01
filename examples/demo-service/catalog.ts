/** Product catalog with a bounded LRU cache: fills up, then stays flat. Not a leak. */
export interface Product {
  id: number;
  name: string;
  price: number;
  tags: string[];
  description: string;
}

const CACHE_LIMIT = 500;
const cache = new Map<number, string>();

function loadProduct(id: number): Product {
  return {
    id,
    name: `Product ${id}`,
    price: Math.round((id * 37) % 10_000) / 100,
    tags: ['demo', `group-${id % 13}`, id % 2 ? 'odd' : 'even'],
    description: 'A fine product. '.repeat(8 + (id % 5)),
  };
}

/** The product as JSON, from the cache when it is there. */
export function productJson(id: number): string {
  const cached = cache.get(id);
  if (cached !== undefined) {
    cache.delete(id);
    cache.set(id, cached);
    return cached;
  }
  const json = JSON.stringify(loadProduct(id));
  cache.set(id, json);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as number);
  return json;
}
