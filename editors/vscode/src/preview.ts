import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';
import { isPreviewResult, page } from './previewHtml';

/**
 * One webview per previewed template. It re-renders when the template changes, so the
 * seller sees the buyer's view of the message while typing.
 */
export class PreviewManager implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly getClient: () => LanguageClient | undefined) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        this.schedule(e.document.uri);
      }),
    );
  }

  async show(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    let panel = this.panels.get(key);
    if (panel) {
      panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      panel = vscode.window.createWebviewPanel(
        'tplc.preview',
        `Preview ${uri.path.split('/').pop() ?? ''}`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, localResourceRoots: [] },
      );
      this.panels.set(key, panel);
      panel.onDidDispose(() => {
        this.panels.delete(key);
        const timer = this.timers.get(key);
        if (timer) {
          clearTimeout(timer);
          this.timers.delete(key);
        }
      });
    }
    await this.refresh(uri, panel);
  }

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    const panel = this.panels.get(key);
    if (!panel) {
      return;
    }
    const previous = this.timers.get(key);
    if (previous) {
      clearTimeout(previous);
    }
    // The server needs the didChange first; a short delay also avoids a render per keystroke.
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refresh(uri, panel);
      }, 300),
    );
  }

  private async refresh(uri: vscode.Uri, panel: vscode.WebviewPanel): Promise<void> {
    const client = this.getClient();
    if (!client?.isRunning()) {
      panel.webview.html = page('The tplc language server is not running, so the message cannot be rendered.');
      return;
    }
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'tplc.preview',
        arguments: [{ uri: client.code2ProtocolConverter.asUri(uri) }],
      });
      panel.webview.html = isPreviewResult(result)
        ? page(undefined, result)
        : page('The language server returned no preview for this file.');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      panel.webview.html = page(`The message could not be rendered: ${message}`);
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    for (const panel of this.panels.values()) {
      panel.dispose();
    }
    for (const s of this.subscriptions) {
      s.dispose();
    }
  }
}
