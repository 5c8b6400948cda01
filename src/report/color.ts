/** The stream colors are decided for: only whether it is a terminal matters. */
export interface OutputStream {
  isTTY?: boolean;
}

/**
 * Whether to color what goes to `stream`: never with NO_COLOR (any non-empty value,
 * no-color.org), always with FORCE_COLOR (unless `0` or `false`), otherwise only on a
 * terminal that is not `dumb`.
 */
export function shouldUseColor(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

/** Wraps text in ANSI styles, or returns it unchanged when color is off. */
export type Paint = (text: string, ...styles: Style[]) => string;

export function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => {
    if (text === '' || styles.length === 0) return text;
    const open = styles.map((style) => `\u001b[${SGR[style][0]}m`).join('');
    const close = styles.map((style) => `\u001b[${SGR[style][1]}m`).reverse().join('');
    return open + text + close;
  };
}
