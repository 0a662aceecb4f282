// A guide's code blocks name the repository file they come from, so a test can hold them to it:
//   <!-- file: path -->     the block is the whole file, verbatim
//   <!-- excerpt: path -->  every line of the block is a line of the file (trailing `// …` comments aside)
// The files are compiled, linted and run by the repository's own checks.

/** A fenced code block of a guide, with the source it declares. */
export interface CodeBlock {
  readonly guide: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
  readonly source?: { readonly kind: 'file' | 'excerpt'; readonly path: string };
}

/** Every fenced block of a Markdown text, with the `<!-- file|excerpt: path -->` marker above it. */
export function codeBlocks(guide: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- (file|excerpt): (\S+) -->$/.exec(lines[i - 1] ?? '');
    blocks.push({
      guide,
      line: i + 1,
      language: open[1]!,
      code: lines.slice(i + 1, end).join('\n'),
      ...(marker === null ? {} : { source: { kind: marker[1] as 'file' | 'excerpt', path: marker[2]! } }),
    });
    i = end;
  }
  return blocks;
}

const bare = (line: string): string => line.replace(/\s+\/\/ .*$/, '').trim();

/** The lines of `code` that are not lines of `file` (blank lines and trailing comments aside). */
export function missingLines(code: string, file: string): string[] {
  const present = new Set(file.split('\n').map(bare));
  return code.split('\n').map(bare).filter((line) => line !== '' && !present.has(line));
}
