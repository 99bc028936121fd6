import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { serverSettings } from './config';
import { PreviewManager } from './preview';
import { resolveExecutable } from './server';

const INSTALL_URL = 'https://github.com/tplc-dev/tplc/blob/main/docs/editors.md';

let client: LanguageClient | undefined;
let watcher: vscode.FileSystemWatcher | undefined;
let output: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('tplc');
  const previews = new PreviewManager(() => client);
  context.subscriptions.push(
    output,
    previews,
    vscode.commands.registerCommand('tplc.showPreview', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void vscode.window.showInformationMessage('Open a .tplc template to preview it.');
        return;
      }
      await previews.show(target);
    }),
    vscode.commands.registerCommand('tplc.restartServer', async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('tplc.path')) {
        await stopClient();
        await startClient(context);
      } else if (e.affectsConfiguration('tplc') && client?.isRunning()) {
        // The server can also pull them with workspace/configuration (section "tplc").
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { tplc: serverSettings() },
        });
      }
    }),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const configured = vscode.workspace.getConfiguration('tplc').get<string>('path', 'tplc');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const command = resolveExecutable(configured, folder);
  if (!command) {
    await reportMissingBinary(configured);
    return;
  }
  output?.appendLine(`Starting ${command} lsp`);
  watcher = vscode.workspace.createFileSystemWatcher('**/{*.tplc,tplc.toml}');

  // No `transport`: TransportKind.stdio would append `--stdio` to the arguments, and
  // `tplc lsp` speaks stdio without being asked.
  const serverOptions: ServerOptions = {
    command,
    args: ['lsp'],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'tplc' },
      { scheme: 'untitled', language: 'tplc' },
    ],
    initializationOptions: serverSettings(),
    synchronize: { fileEvents: watcher },
    middleware: {
      workspace: {
        // Answer for the `tplc` section in the shape of tplc.toml, as initializationOptions
        // has it, rather than VS Code's raw setting names.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i): unknown =>
            item.section === 'tplc'
              ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : result[i],
          );
        },
      },
    },
    outputChannel: output,
    traceOutputChannel: output,
  };
  const created = new LanguageClient('tplc', 'tplc', serverOptions, clientOptions);
  created.onDidChangeState((e) => {
    if (e.newState === State.Stopped && client === created) {
      output?.appendLine('The tplc language server stopped.');
    }
  });
  client = created;
  try {
    await created.start();
    context.subscriptions.push(created);
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    output?.appendLine(`Could not start ${command} lsp: ${message}`);
    const choice = await vscode.window.showErrorMessage(
      `tplc: \`${command} lsp\` failed to start (${message}). Check that this tplc build has the \`lsp\` subcommand, or point \`tplc.path\` at another one.`,
      'Open Settings',
      'Show Log',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'tplc.path');
    } else if (choice === 'Show Log') {
      output?.show();
    }
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  watcher?.dispose();
  watcher = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // Stopping a server that already exited is not an error worth showing.
    }
  }
}

async function reportMissingBinary(configured: string): Promise<void> {
  const where = configured.includes('/') || configured.includes('\\') ? `at "${configured}"` : `"${configured}" on PATH`;
  const message =
    `tplc: the tplc executable was not found (looked for ${where}). ` +
    'Templates are highlighted but not checked. Install tplc (cargo install --path crates/cli in the tplc repository) ' +
    'or set "tplc.path" to the executable, then run "tplc: Restart language server".';
  output?.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Installation Guide');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'tplc.path');
  } else if (choice === 'Installation Guide') {
    await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
  }
}
