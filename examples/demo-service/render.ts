import type { Product } from './catalog.js';

/** A small HTML template: lots of short-lived strings, nothing kept. */
export function renderProductPage(product: Product, user: string): string {
  const tags = product.tags.map((tag) => `<li class="tag">${escapeHtml(tag)}</li>`).join('');
  return `<!doctype html><html><head><title>${escapeHtml(product.name)}</title></head><body>
<header>Hello ${escapeHtml(user)}</header>
<h1>${escapeHtml(product.name)}</h1><p class="price">${product.price.toFixed(2)} EUR</p>
<ul>${tags}</ul><p>${escapeHtml(product.description)}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
