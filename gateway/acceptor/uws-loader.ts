/**
 * Loads uWebSockets.js. The prebuilt binary needs glibc >= 2.38; on older glibc (Debian 12)
 * we fall back to the copy prepared by scripts/prepare-native.mjs in dist/native/: the same
 * binary with its GLIBC_2.38 requirement marked weak, plus glibc-compat.node, which must be
 * loaded first and globally because it supplies the three missing __isoc23_* functions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type * as UwsModule from '@btc-vision/uwebsockets.js';
import type { HttpResponse } from '@btc-vision/uwebsockets.js';

/** The package's module type, i.e. typeof import('@btc-vision/uwebsockets.js'). */
export type Uws = typeof UwsModule;

const PKG = '@btc-vision/uwebsockets.js';
const MISSING_GLIBC_238 = /version [`']GLIBC_2\.38' not found/;

// A real Node require even under jest: native addons live in Node's module cache, and the
// package's main file must be resolved from this repository's node_modules.
const nodeRequire = createRequire(__filename);

let loaded: Uws | undefined;

/** The uWS module, loaded once per process. */
export function loadUws(): Uws {
  loaded ??= load();
  return loaded;
}

function load(): Uws {
  try {
    return nodeRequire(PKG) as Uws;
  } catch (err) {
    const reason = errorText(err);
    if (process.platform !== 'linux' || !MISSING_GLIBC_238.test(reason)) {
      throw new Error(`cannot load ${PKG}: ${reason}`, { cause: err });
    }
    return loadPatched(err);
  }
}

function loadPatched(stockError: unknown): Uws {
  const dir = nativeDir();
  const binary = `uws_linux_${process.arch}_${process.versions.modules}.node`;
  const missing = ['glibc-compat.node', 'uws.js', binary].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new Error(
      `${PKG} needs glibc 2.38 and this system has an older one; the patched copy is incomplete ` +
        `(missing ${missing.join(', ')} in ${dir}). Run \`npm run build\`.`,
      { cause: stockError },
    );
  }
  // The compat symbols must be global before the patched binary binds its imports;
  // requiring it without them would abort the process with a symbol lookup error.
  const { RTLD_NOW, RTLD_GLOBAL } = constants.dlopen;
  try {
    process.dlopen({ exports: {} }, join(dir, 'glibc-compat.node'), RTLD_NOW | RTLD_GLOBAL);
    return nodeRequire(join(dir, 'uws.js')) as Uws;
  } catch (err) {
    throw new Error(`cannot load the glibc-patched ${PKG} from ${dir}: ${errorText(err)}`, { cause: err });
  }
}

/** dist/native, seen from the compiled file (dist/gateway/acceptor) or the source (gateway/acceptor, ts-jest). */
function nativeDir(): string {
  const up2 = resolve(__dirname, '..', '..');
  return basename(up2) === 'dist' ? join(up2, 'native') : join(up2, 'dist', 'native');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Present at runtime on SSL responses only; the package's index.d.ts omits it.
interface WithX509 {
  getX509Certificate?: () => unknown;
}

/** PEM of the client's leaf certificate on an SSLApp response, or "" (no client cert, or plain App). */
export function getClientCertificatePem(res: HttpResponse): string {
  const get = (res as unknown as WithX509).getX509Certificate;
  if (typeof get !== 'function') return '';
  const pem = get.call(res);
  return typeof pem === 'string' ? pem : '';
}
