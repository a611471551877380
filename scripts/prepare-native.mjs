// Makes the prebuilt uWebSockets.js loadable on Linux with glibc < 2.38 (e.g. Debian 12).
// The stock binary imports three __isoc23_* functions versioned GLIBC_2.38. We write into
// dist/native/ a copy whose GLIBC_2.38 requirement is marked weak, plus a tiny addon that
// defines those functions; gateway/acceptor/uws-loader.ts loads the pair only when the
// stock binary fails. node_modules is never modified. Runs after tsc (needs dist/).
// Quiet when nothing changed: a stamp (dist/native/prepared.json) records the inputs of the last
// successful run (Node version, uWS version, the compat source, this script), and a run with the
// same inputs and its files in place does nothing and prints nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = '@btc-vision/uwebsockets.js';
const MISSING_GLIBC_238 = /version [`']GLIBC_2\.38' not found/;
const outDir = join(root, 'dist', 'native');
const compatSource = join(root, 'gateway', 'acceptor', 'glibc-compat', 'compat.c');
const weakenerJs = join(root, 'dist', 'gateway', 'acceptor', 'glibc-compat', 'elf-weaken.js');

const log = (msg) => console.log(`prepare-native: ${msg}`);
const fail = (msg) => {
  console.error(`prepare-native: ERROR: ${msg}`);
  process.exit(1);
};
const rel = (p) => relative(root, p);

/** Writes only when the content differs, via rename so a process that has the old file mapped is unaffected. */
function writeIfChanged(file, data) {
  if (existsSync(file) && readFileSync(file).equals(data)) return false;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
  return true;
}

function findNodeApiHeaders() {
  const candidates = [
    process.env.NODE_API_INCLUDE_DIR,
    resolve(dirname(process.execPath), '..', 'include', 'node'), // official tarballs, nvm, Docker images
    '/usr/local/include/node',
    '/usr/include/node', // Debian/NodeSource packages
  ].filter((dir, i, all) => dir && all.indexOf(dir) === i);
  const found = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
  if (!found) {
    fail(
      `Node-API headers (node_api.h) not found; looked in: ${candidates.join(', ')}.\n` +
        '  Install the headers matching your Node (they ship with the official Node tarball / Docker image,\n' +
        '  or the nodejs/libnode-dev package) or set NODE_API_INCLUDE_DIR to the directory holding node_api.h.',
    );
  }
  return found;
}

function compileCompat(target) {
  const include = findNodeApiHeaders();
  const [cc, ...ccArgs] = (process.env.CC || 'cc').trim().split(/\s+/);
  const args = [...ccArgs, '-shared', '-fPIC', '-O2', '-std=c11', '-Wall', `-I${include}`];
  const stampFile = `${target}.stamp`;
  const stamp = createHash('sha256')
    .update(JSON.stringify([cc, args, readFileSync(compatSource, 'utf8')]))
    .digest('hex');
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  const tmp = `${target}.${process.pid}.tmp`;
  const run = spawnSync(cc, [...args, '-o', tmp, compatSource], { encoding: 'utf8' });
  if (run.error?.code === 'ENOENT') {
    fail(`C compiler '${cc}' not found; install one (e.g. apt-get install gcc) or set CC.`);
  }
  if (run.error || run.status !== 0) {
    fail(`compiling ${rel(compatSource)} failed (${cc} ${args.join(' ')}):\n${run.stderr || run.error}`);
  }
  renameSync(tmp, target);
  writeFileSync(stampFile, stamp);
  log(`compiled ${rel(target)} with ${cc} (Node-API headers: ${include})`);
}

// The glibc workaround is Linux-only.
if (process.platform !== 'linux') process.exit(0);

const pkgDir = dirname(createRequire(join(root, 'package.json')).resolve(PKG));
const preparedFile = join(outDir, 'prepared.json');
const inputs = JSON.stringify({
  node: process.version,
  cc: process.env.CC ?? 'cc',
  uws: JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version,
  compat: createHash('sha256').update(readFileSync(compatSource)).digest('hex'),
  script: createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex'),
});
const prepared = existsSync(preparedFile) ? JSON.parse(readFileSync(preparedFile, 'utf8')) : undefined;
if (prepared?.inputs === inputs && prepared.files.every((f) => existsSync(join(outDir, f)))) process.exit(0);
/** Records a successful run, so the next one with the same inputs is silent. */
const markPrepared = (files) => {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(preparedFile, `${JSON.stringify({ inputs, files })}\n`);
};

// Probe in a child so a failed dlopen leaves no trace in this process.
const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(PKG)})`], { cwd: root, encoding: 'utf8' });
if (probe.status === 0) {
  markPrepared([]); // the stock binary loads: nothing to prepare
  process.exit(0);
}
if (!MISSING_GLIBC_238.test(probe.stderr)) {
  fail(`${PKG} fails to load for a reason this step cannot work around:\n${probe.stderr.trim()}`);
}
const glibc = process.report?.getReport().header.glibcVersionRuntime ?? 'unknown';
log(`stock uWebSockets.js needs glibc 2.38 (this system has ${glibc}); preparing ${rel(outDir)}/`);

if (!existsSync(weakenerJs)) fail(`${rel(weakenerJs)} is missing; compile TypeScript first (npm run build).`);
const { weakenVersionNeed } = createRequire(import.meta.url)(weakenerJs);

mkdirSync(outDir, { recursive: true });

// Every Node ABI for this arch, so one build serves Node 20, 22 and 24 on the same host.
const binaries = readdirSync(pkgDir).filter((f) => f.startsWith(`uws_linux_${process.arch}_`) && f.endsWith('.node'));
if (binaries.length === 0) fail(`${PKG} ships no binary for linux-${process.arch}`);
const written = binaries.filter((name) =>
  writeIfChanged(join(outDir, name), weakenVersionNeed(readFileSync(join(pkgDir, name)), 'GLIBC_2.38')),
);
if (written.length > 0) log(`wrote ${written.join(', ')} with GLIBC_2.38 marked weak`);
// The package's own JS entry, unchanged, so the patched module also has its JS-side exports
// (DeclarativeResponse); it requires ./uws_<platform>_<arch>_<abi>.node relative to itself.
writeIfChanged(join(outDir, 'uws.js'), readFileSync(join(pkgDir, 'uws.js')));

const compat = join(outDir, 'glibc-compat.node');
compileCompat(compat);

// Prove the pair loads (in a child: dlopen with RTLD_GLOBAL cannot be undone). LD_BIND_NOW makes
// every import resolve at load time; lazily, a missing one would abort the process mid-run.
const verify = `
  const { RTLD_NOW, RTLD_GLOBAL } = require('node:os').constants.dlopen;
  process.dlopen({ exports: {} }, ${JSON.stringify(compat)}, RTLD_NOW | RTLD_GLOBAL);
  const uws = require(${JSON.stringify(join(outDir, 'uws.js'))});
  if (typeof uws.App !== 'function' || typeof uws.SSLApp !== 'function') throw new Error('uWS exports look wrong');
  uws.App(); // constructs a loop + context: the __isoc23_* imports must resolve
`;
try {
  execFileSync(process.execPath, ['-e', verify], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, LD_BIND_NOW: '1' },
  });
} catch (err) {
  fail(`the patched uWebSockets.js still does not load:\n${String(err.stderr || err.message).trim()}`);
}
log(`verified: patched uWebSockets.js loads with glibc-compat on Node ${process.versions.node}`);
markPrepared([...binaries, 'uws.js', 'glibc-compat.node']);
