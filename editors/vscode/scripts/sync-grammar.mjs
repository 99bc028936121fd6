// The TextMate grammar is maintained in the repository's grammar/ folder (shared with other
// editors); the extension package needs its own copy.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const from = join(root, '..', '..', 'grammar', 'tplc.tmLanguage.json');
const to = join(root, 'syntaxes', 'tplc.tmLanguage.json');
mkdirSync(dirname(to), { recursive: true });
copyFileSync(from, to);
console.log(`copied ${from} -> ${to}`);
