const rootStyle = getComputedStyle(document.documentElement);

/** A custom property of the page's stylesheet (src/report/html-style.ts), e.g. `--leak`. */
export function cssVar(name: string): string {
  return rootStyle.getPropertyValue(name).trim();
}

/** `#rrggbb` with an opacity, as `rgba(...)`; any other color as it is. */
export function alpha(color: string, opacity: number): string {
  const match = /^#([0-9a-f]{6})$/i.exec(color);
  if (!match) return color;
  const n = parseInt(match[1]!, 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${opacity})`;
}

/** Canvas pixels per CSS pixel. */
export const pxRatio = window.devicePixelRatio || 1;
