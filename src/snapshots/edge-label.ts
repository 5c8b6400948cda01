/**
 * How the edge of one retainer step reads, in the terminal and in the HTML report alike:
 * `[]` and `[key]` (indexes and keys that differ between a group's objects), `[3]` for an
 * index, `[Symbol(name)]` for a symbol, `["a b"]` for a key that is no identifier, and
 * property and variable names as they are. No imports: the report page bundles it.
 */
export function edgeLabel(edgeType: string, edge: string): string {
  if (edge === '[]' || edge === '[key]') return edge;
  if (edgeType === 'element' || edgeType === 'hidden') return `[${edge}]`;
  if (edgeType !== 'property' || IDENTIFIER.test(edge)) return edge;
  if (/^<symbol .*>$/.test(edge)) return `[Symbol(${edge.slice(8, -1)})]`;
  return /^\d+$/.test(edge) ? `[${edge}]` : `["${edge}"]`;
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
