/**
 * Building the page with DOM calls only: every string from a profile reaches it through
 * textContent or an attribute value, never through HTML parsing.
 */

type Child = Node | string | null | undefined | false;
type PropValue = string | number | boolean | null | undefined | ((event: Event) => void);

/**
 * An element. `text` sets its textContent, `class` its className, `on<event>` adds a listener,
 * anything else is an attribute; null, undefined and false leave a prop out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Record<string, PropValue> | null, children?: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    } else if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = String(value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children ?? []) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svgNode<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

/** One panel of the report: its section, and a draw step run once the section is in the page (charts need its width). */
export interface Section {
  section: HTMLElement;
  draw: () => void;
}

export function panel(id: string, title: string, sub: string | null, children: Child[]): HTMLElement {
  return h('section', { class: 'panel', id }, [h('h2', { text: title }), sub ? h('p', { class: 'sub', text: sub }) : null, ...children]);
}
