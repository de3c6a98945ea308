/**
 * The variable rows of a markdown table (`| \`NAME\` | default | description |`), cells trimmed,
 * so a README padded by a formatter compares equal to `describeEnv(spec)`.
 */
export function envTableRows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+`\s*\|/.test(line))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .join('|'),
    );
}
