/** Reads docker/Dockerfile and .dockerignore as Docker does, for the image tests (no daemon here). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';

export interface Copy {
  /** The stage copied from (`--from=`), or undefined for the build context. */
  from?: string;
  sources: string[];
  dest: string;
}

export interface Stage {
  image: string;
  name?: string;
  copies: Copy[];
  /** Every instruction line (continuations joined), for checks on RUN, USER, HEALTHCHECK… */
  instructions: string[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

export function readDockerfile(path = join(packageRoot(), 'docker', 'Dockerfile')): Dockerfile {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const result: Dockerfile = { args: {}, stages: [] };
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const word = keyword.toUpperCase();
    const stage = result.stages[result.stages.length - 1];
    if (word === 'FROM') {
      const [image, as, name] = rest;
      result.stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, copies: [], instructions: [] });
      continue;
    }
    if (stage === undefined) {
      if (word === 'ARG') {
        const [key, value = ''] = rest.join(' ').split('=');
        result.args[key] = value;
      }
      continue;
    }
    stage.instructions.push(line);
    if (word === 'COPY') {
      const flags = rest.filter((r) => r.startsWith('--'));
      const paths = rest.filter((r) => !r.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      stage.copies.push({ from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] });
    }
  }
  return result;
}

/** `${NAME}` replaced by the ARG defaults. */
export function expandArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');
}

/**
 * .dockerignore as Docker applies it: patterns in order, the last match wins, `!` re-includes,
 * `*` and `?` stay within a path segment, `**` spans segments, and a pattern matching a folder
 * covers everything under it.
 */
export function dockerignore(path = join(packageRoot(), '.dockerignore')): (relativePath: string) => boolean {
  const rules = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!');
      const pattern = (include ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const regex = pattern
        .split('/')
        .map((segment) =>
          segment === '**'
            ? '.*'
            : segment
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { include, regex: new RegExp(`^${regex}(?:/.*)?$`) };
    });
  /** True when the path is sent to the daemon. */
  return (relativePath: string) => {
    let sent = true;
    for (const rule of rules) if (rule.regex.test(relativePath)) sent = rule.include;
    return sent;
  };
}
