// The preview page, kept free of the `vscode` module so it can be unit-tested in plain node.

/** What the server's `tplc.preview` command returns. */
export interface PreviewResult {
  text: string;
  html: string;
}

export function isPreviewResult(value: unknown): value is PreviewResult {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return typeof v.text === 'string' && typeof v.html === 'string';
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The rendered HTML goes into a sandboxed iframe (no scripts, no navigation), and the page
 * policy allows no network access except images, which order messages may show.
 */
export function page(error: string | undefined, result?: PreviewResult): string {
  const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-src 'self' about: data:;";
  const body = error
    ? `<p class="error">${escapeHtml(error)}</p>`
    : `<h2>Text</h2><pre id="tplc-text">${escapeHtml(result?.text ?? '')}</pre>
<h2>HTML</h2><iframe id="tplc-html" sandbox="" title="Rendered HTML" srcdoc="${escapeHtml(result?.html ?? '')}"></iframe>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
pre { white-space: pre-wrap; background: var(--vscode-textCodeBlock-background); padding: .75em; }
iframe { width: 100%; min-height: 24em; border: 1px solid var(--vscode-panel-border); background: #fff; }
.error { color: var(--vscode-errorForeground); }
</style></head>
<body>${body}</body></html>`;
}
