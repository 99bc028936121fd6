// Tokenizes templates with the same TextMate engine VS Code uses (vscode-textmate +
// oniguruma) and checks the scopes given to each construct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const grammarPath = join(here, '..', '..', '..', 'grammar', 'tplc.tmLanguage.json');
const fixtures = join(here, '..', '..', 'tests', 'fixtures');

const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));

const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scopeName) =>
    scopeName === 'source.tplc' ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
});

/** Returns [{ line, text, scopes }] for every token of the source. */
async function tokenize(source) {
  const grammar = await registry.loadGrammar('source.tplc');
  assert.ok(grammar, 'grammar loads');
  let state = vsctm.INITIAL;
  const out = [];
  source.split('\n').forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      out.push({ line: i + 1, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = r.ruleStack;
  });
  return out;
}

/** Scopes of the first token on `line` whose text is exactly `text`. */
function scopesOf(tokens, line, text) {
  const t = tokens.find((x) => x.line === line && x.text === text);
  assert.ok(t, `token ${JSON.stringify(text)} on line ${line}; tokens there: ${JSON.stringify(tokens.filter((x) => x.line === line).map((x) => x.text))}`);
  return t.scopes;
}

function assertScope(tokens, line, text, scope) {
  const scopes = scopesOf(tokens, line, text);
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `${JSON.stringify(text)} on line ${line} should have ${scope}, has ${scopes.join(' ')}`,
  );
}

function assertNoScope(tokens, line, text, scope) {
  const scopes = scopesOf(tokens, line, text);
  assert.ok(!scopes.some((s) => s.startsWith(scope)), `${JSON.stringify(text)} on line ${line} should not have ${scope}, has ${scopes.join(' ')}`);
}

test('header keys, kind, locale, schedule, params and comments', async () => {
  const tokens = await tokenize(readFileSync(join(fixtures, 'showcase.tplc'), 'utf8'));
  assertScope(tokens, 1, '---', 'punctuation.definition.header.begin.tplc');
  assertScope(tokens, 2, 'kind', 'support.type.property-name.tplc');
  assertScope(tokens, 2, 'delivery', 'constant.language.kind.tplc');
  assertScope(tokens, 3, ' a delivery note, sent once the parcel ships', 'comment.line.number-sign.tplc');
  assertScope(tokens, 3, '#', 'punctuation.definition.comment.tplc');
  assertScope(tokens, 4, 'en-US', 'constant.other.locale.tplc');
  assertScope(tokens, 5, 'order', 'variable.other.tplc');
  assertScope(tokens, 5, ' Your order ', 'string.unquoted.subject.tplc');
  assertScope(tokens, 6, '3d', 'constant.numeric.duration.tplc');
  assertScope(tokens, 6, 'shipment', 'constant.language.event.tplc');
  assertScope(tokens, 7, 'param', 'storage.type.param.tplc');
  assertScope(tokens, 7, 'coupon', 'variable.parameter.tplc');
  assertScope(tokens, 7, 'text', 'support.type.builtin.tplc');
  assertScope(tokens, 7, '?', 'keyword.operator.optional.tplc');
  assertScope(tokens, 8, 'item', 'entity.name.type.record.tplc');
  assertScope(tokens, 9, '---', 'punctuation.definition.header.end.tplc');
  // Body lines are not part of the header.
  assertNoScope(tokens, 10, 'Hello ', 'meta.header');
});

test('placeholders, filters and literals', async () => {
  const tokens = await tokenize(readFileSync(join(fixtures, 'showcase.tplc'), 'utf8'));
  assertScope(tokens, 10, '{{', 'punctuation.section.embedded.begin.tplc');
  assertScope(tokens, 10, 'buyer', 'variable.other.tplc');
  assertScope(tokens, 10, 'name', 'variable.other.property.tplc');
  assertScope(tokens, 10, 'default', 'support.function.filter.tplc');
  assertScope(tokens, 10, '"there"', 'string.quoted.double.tplc');
  assertScope(tokens, 10, '}}', 'punctuation.section.embedded.end.tplc');
  assertNoScope(tokens, 10, ', thank you for order ', 'meta.embedded');
});

test('block tags, conditions and loops', async () => {
  const tokens = await tokenize(readFileSync(join(fixtures, 'showcase.tplc'), 'utf8'));
  assertScope(tokens, 12, '{%', 'punctuation.section.tag.begin.tplc');
  assertScope(tokens, 12, 'if', 'keyword.control.conditional.tplc');
  assertScope(tokens, 12, 'and', 'keyword.operator.logical.tplc');
  assertScope(tokens, 12, 'not', 'keyword.operator.logical.tplc');
  assertScope(tokens, 12, 'elif', 'keyword.control.conditional.tplc');
  assertScope(tokens, 12, '>=', 'keyword.operator.comparison.tplc');
  assertScope(tokens, 12, '10.5', 'constant.numeric.tplc');
  assertScope(tokens, 12, 'endif', 'keyword.control.conditional.tplc');
  assertScope(tokens, 12, '"%d %B"', 'string.quoted.double.tplc');
  assertScope(tokens, 13, 'for', 'keyword.control.loop.tplc');
  assertScope(tokens, 13, 'item', 'variable.other.loop.tplc');
  assertScope(tokens, 13, 'in', 'keyword.control.loop.in.tplc');
  assertScope(tokens, 17, 'endfor', 'keyword.control.loop.tplc');
  assertScope(tokens, 18, 'include', 'keyword.control.import.tplc');
  assertScope(tokens, 18, '"footer"', 'string.quoted.partial-name.tplc');
});

test('markup and comments with allow directives', async () => {
  const tokens = await tokenize(readFileSync(join(fixtures, 'showcase.tplc'), 'utf8'));
  assertScope(tokens, 14, '-', 'punctuation.definition.list.begin.markdown.tplc');
  assertScope(tokens, 14, '**', 'markup.bold.tplc');
  assertScope(tokens, 14, 'title', 'markup.bold.tplc');
  assertScope(tokens, 14, 'title', 'variable.other.property.tplc');
  assertScope(tokens, 14, 'track it', 'string.other.link.title.tplc');
  assertScope(tokens, 14, 'review_url', 'markup.underline.link.tplc');
  assertScope(tokens, 19, '{#', 'comment.block.tplc');
  assertScope(tokens, 19, 'tplc-allow', 'keyword.other.directive.allow.tplc');
  assertScope(tokens, 19, 'sentiment-word', 'constant.other.diagnostic-code.tplc');
  assertScope(tokens, 19, '#}', 'comment.block.tplc');
});

test('a --- line later in the body does not open a header', async () => {
  const tokens = await tokenize('Hello\n---\nkind: review_request\n');
  assertNoScope(tokens, 2, '---', 'punctuation.definition.header');
  assertNoScope(tokens, 3, 'kind: review_request', 'support.type.property-name');
});

test('half-typed tags do not swallow the rest of the line forever', async () => {
  // An unclosed placeholder stays open (as in the editor while typing), but the next
  // complete tag still closes a fresh one correctly.
  const tokens = await tokenize('---\nkind: reply\nlocale: en\n---\nHi {{ buyer.\n{% if x %}ok{% endif %}\n');
  assertScope(tokens, 5, 'buyer', 'variable.other.tplc');
  assert.ok(tokens.some((t) => t.line === 6 && t.text === 'ok'), 'line 6 tokenized');
});

test('a # inside a header value is text, a # line is a comment', async () => {
  const tokens = await tokenize('---\n# note\nkind: reply\nsubject: Ticket #42 for {{ order.id }}\n---\n');
  assertScope(tokens, 2, ' note', 'comment.line.number-sign.tplc');
  assertScope(tokens, 4, ' Ticket #42 for ', 'string.unquoted.subject.tplc');
  assertNoScope(tokens, 4, ' Ticket #42 for ', 'comment');
  assertScope(tokens, 4, 'order', 'variable.other.tplc');
});

test('an unknown kind or a malformed locale is marked invalid', async () => {
  const tokens = await tokenize('---\nkind: review_ask\nlocale: en_US\n---\n');
  assertScope(tokens, 2, 'review_ask', 'invalid.illegal.kind.tplc');
  assertScope(tokens, 3, 'en', 'constant.other.locale.tplc');
  assertScope(tokens, 3, '_US', 'invalid.illegal.locale.tplc');
});

test('the review fixture used by the editor tests highlights its placeholders', async () => {
  const tokens = await tokenize(readFileSync(join(fixtures, 'review.tplc'), 'utf8'));
  assertScope(tokens, 2, 'review_request', 'constant.language.kind.tplc');
  assertScope(tokens, 5, 'nme', 'variable.other.property.tplc');
  assertScope(tokens, 6, 'If you are happy with the product, please leave a review.', 'source.tplc');
});
