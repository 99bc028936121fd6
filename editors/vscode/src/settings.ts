// Editor settings → the object sent to `tplc lsp` (initializationOptions, and the `tplc`
// section of workspace/configuration). Kept free of the `vscode` module for unit tests.

export type RuleLevel = 'error' | 'warning' | 'info' | 'off';

/** The editor-side values, as read from the `tplc.*` settings. */
export interface EditorSettings {
  rules: Record<string, string>;
  defaultLocale: string;
  maxMessages: number | null;
  debounceMs: number | null;
}

/**
 * Shaped like `tplc.toml` (same section and key names): `{ rules: { code: level },
 * project: { "default-locale" }, budget: { "max-messages" } }`. The server uses each key only
 * where the project's `tplc.toml` sets nothing, so the project file always wins. Only keys the
 * user set are sent.
 */
export interface ServerSettings {
  rules?: Record<string, RuleLevel>;
  project?: { 'default-locale': string };
  budget?: { 'max-messages': number };
  debounceMs?: number;
}

const LEVELS: readonly string[] = ['error', 'warning', 'info', 'off'];

export function toServerSettings(s: EditorSettings): ServerSettings {
  const out: ServerSettings = {};
  const rules: Record<string, RuleLevel> = {};
  for (const [code, level] of Object.entries(s.rules)) {
    const l = level.trim().toLowerCase();
    // `warn` is accepted by tplc.toml too; anything else would only confuse the server.
    const norm = l === 'warn' ? 'warning' : l;
    if (code.trim() !== '' && LEVELS.includes(norm)) {
      rules[code.trim()] = norm as RuleLevel;
    }
  }
  if (Object.keys(rules).length > 0) {
    out.rules = rules;
  }
  if (s.defaultLocale.trim() !== '') {
    out.project = { 'default-locale': s.defaultLocale.trim() };
  }
  if (s.maxMessages !== null && Number.isInteger(s.maxMessages) && s.maxMessages >= 0) {
    out.budget = { 'max-messages': s.maxMessages };
  }
  if (s.debounceMs !== null && Number.isFinite(s.debounceMs) && s.debounceMs >= 0) {
    out.debounceMs = Math.round(s.debounceMs);
  }
  return out;
}
