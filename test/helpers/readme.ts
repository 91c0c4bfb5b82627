/** Code blocks of README.md, for the tests that run its examples as written. */
import { readFileSync } from 'node:fs';

export const README = fileUrlText(new URL('../../README.md', import.meta.url));

function fileUrlText(url: URL): string {
  return readFileSync(url, 'utf8');
}

/**
 * The first ```lang block after the line `heading`, before the next heading
 * of the same or a higher level; a block indented in a list item comes back
 * without its indent.
 */
export function codeBlock(text: string, heading: string, lang: string): string {
  const lines = text.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no heading ${JSON.stringify(heading)}`);
  const level = heading.indexOf(' ');
  for (let i = at + 1; i < lines.length; i++) {
    const h = /^(#+) /.exec(lines[i]!);
    if (h && h[1]!.length <= level) break;
    if (lines[i]!.trim() === '```' + lang) {
      const indent = lines[i]!.indexOf('`');
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
      return lines.slice(i + 1, end).map((l) => l.slice(indent)).join('\n') + '\n';
    }
  }
  throw new Error(`no \`\`\`${lang} block under ${heading}`);
}
