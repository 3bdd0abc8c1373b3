/**
 * Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
 * Throws when the markers are missing or out of order, so a README edit that
 * drops them fails loudly instead of silently losing the generated section.
 */
export function spliceSection(document: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = document.indexOf(start);
  const j = document.indexOf(end);
  if (i < 0 || j < 0 || j < i) {
    throw new Error(`README: markers ${start} … ${end} not found in order`);
  }
  if (document.indexOf(start, i + 1) >= 0) throw new Error(`README: marker ${start} appears twice`);
  return `${document.slice(0, i + start.length)}\n${body.trim()}\n${document.slice(j)}`;
}
