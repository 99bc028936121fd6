import * as vscode from 'vscode';
import { ServerSettings, toServerSettings } from './settings';

/** Reads the `tplc.*` settings that the language server understands. */
export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const config = vscode.workspace.getConfiguration('tplc', scope);
  return toServerSettings({
    rules: config.get<Record<string, string>>('rules', {}),
    defaultLocale: config.get<string>('defaultLocale', ''),
    maxMessages: config.get<number | null>('budget.maxMessages', null),
    debounceMs: config.get<number | null>('debounceMs', null),
  });
}
