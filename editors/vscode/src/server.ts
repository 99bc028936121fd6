import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Finds the `tplc` executable the way a shell would: a value with a path separator is a file
 * path (relative ones are taken from `baseDir`), a bare name is looked up on `PATH`.
 * Returns `undefined` when nothing executable is found, so the caller can explain what to do
 * instead of letting the language client fail with a bare `ENOENT`.
 */
export function resolveExecutable(
  configured: string,
  baseDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const name = configured.trim() === '' ? 'tplc' : configured.trim();
  const expanded = name.startsWith('~/') && env.HOME ? path.join(env.HOME, name.slice(2)) : name;
  if (expanded.includes('/') || expanded.includes('\\')) {
    const full = path.isAbsolute(expanded) || !baseDir ? path.resolve(expanded) : path.resolve(baseDir, expanded);
    return isExecutable(full) ? full : undefined;
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat(['']) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, expanded + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
