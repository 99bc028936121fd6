// Unit tests of the parts of the extension that do not need VS Code (compiled to out/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { resolveExecutable } = require('../out/server.js');
const { page, escapeHtml, isPreviewResult } = require('../out/previewHtml.js');

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'tplc-unit-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const exe = join(bin, 'tplc');
  writeFileSync(exe, '#!/bin/sh\n');
  chmodSync(exe, 0o755);
  const plain = join(bin, 'not-exec');
  writeFileSync(plain, '');
  chmodSync(plain, 0o644);
  return { dir, bin, exe, plain };
}

test('a bare name is looked up on PATH', () => {
  const s = scratch();
  const env = { PATH: ['/nonexistent', s.bin].join(':') };
  assert.equal(resolveExecutable('tplc', undefined, env, 'linux'), s.exe);
  assert.equal(resolveExecutable('', undefined, env, 'linux'), s.exe, 'empty setting means tplc');
  assert.equal(resolveExecutable('other', undefined, env, 'linux'), undefined);
});

test('files without the executable bit and directories are not accepted', () => {
  const s = scratch();
  assert.equal(resolveExecutable('not-exec', undefined, { PATH: s.bin }, 'linux'), undefined);
  assert.equal(resolveExecutable(s.bin, undefined, { PATH: '' }, 'linux'), undefined);
});

test('paths are taken as files, relative ones from the workspace folder', () => {
  const s = scratch();
  assert.equal(resolveExecutable(s.exe, undefined, { PATH: '' }, 'linux'), s.exe);
  assert.equal(resolveExecutable('bin/tplc', s.dir, { PATH: '' }, 'linux'), s.exe);
  assert.equal(resolveExecutable('bin/missing', s.dir, { PATH: s.bin }, 'linux'), undefined, 'no PATH fallback for paths');
  assert.equal(resolveExecutable('~/bin/tplc', undefined, { PATH: '', HOME: s.dir }, 'linux'), s.exe);
});

test('preview page escapes the rendered text and isolates the HTML', () => {
  const html = page(undefined, { text: '<script>alert(1)</script> & "x"', html: '<p onclick="x()">Hi & bye</p>' });
  assert.ok(!html.includes('<script>alert'), 'text is escaped');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;'));
  assert.match(html, /<iframe id="tplc-html" sandbox="" [^>]*srcdoc="&lt;p onclick=&quot;x\(\)&quot;&gt;Hi &amp; bye&lt;\/p&gt;"/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none';/);
});

test('preview page shows errors as text', () => {
  const html = page('boom <b>');
  assert.ok(html.includes('<p class="error">boom &lt;b&gt;</p>'));
  assert.ok(!html.includes('tplc-text'));
  assert.equal(escapeHtml(`'`), '&#39;');
});

test('only well-formed server answers are shown', () => {
  assert.equal(isPreviewResult({ text: 'a', html: 'b' }), true);
  assert.equal(isPreviewResult({ text: 'a' }), false);
  assert.equal(isPreviewResult(null), false);
  assert.equal(isPreviewResult('text'), false);
});

const { toServerSettings } = require('../out/settings.js');

test('settings are sent in the shape of tplc.toml, only when set', () => {
  assert.deepEqual(toServerSettings({ rules: {}, defaultLocale: '', maxMessages: null, debounceMs: null }), {});
  assert.deepEqual(
    toServerSettings({
      rules: { 'sentiment-word': 'warning', 'optional-unhandled': 'WARN', 'bogus-level': 'loud', ' ': 'off' },
      defaultLocale: ' de-DE ',
      maxMessages: 1,
      debounceMs: 150.4,
    }),
    {
      rules: { 'sentiment-word': 'warning', 'optional-unhandled': 'warning' },
      project: { 'default-locale': 'de-DE' },
      budget: { 'max-messages': 1 },
      debounceMs: 150,
    },
  );
  assert.deepEqual(toServerSettings({ rules: {}, defaultLocale: '', maxMessages: -1, debounceMs: Number.NaN }), {});
});
