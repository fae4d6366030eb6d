#!/usr/bin/env node
// The per-contract compile cache (compile.js) is exact: for each CONTRACT:FILE[,FILE...] in order,
// through one fresh cache directory, the code that compileCached assembles (some units compiled,
// some read from the cache that the earlier items filled) equals a fresh full compile of the same
// files, for the contract and every library it links: the creation code and the runtime code byte
// for byte, but for solc's metadata trailer (the CBOR at the end of the runtime code: its IPFS hash
// covers the whole source file; compared by length) and the library link placeholders (their text is
// a hash of the library's file path: compared by position). Then the same items again: every unit
// from the cache, nothing compiled, the same code. Exit 0 when all equal, 1 otherwise.
//
//   node tools/evm/compile_cache_test.js [--dir DIR] [--expect-hits N] CONTRACT:FILE[,FILE..] ...
//
// --expect-hits N: the first pass must read at least N units from the cache (units shared by items).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execSync } from 'node:child_process'

// solc-js missing: skipped (77) without npm, a failure naming the installer with it (as evm_test)
let compileCached, compileErrors, compileInput, makeInput, runOutputs, stripMetadata
try {
  let solcId
  ;({ compileCached, compileErrors, compileInput, makeInput, runOutputs, solcId, stripMetadata } = await import('./compile.js'))
  solcId()  // (throws without solc-js)
} catch (e) {
  let npm = true
  try { execSync('command -v npm', { stdio: 'ignore' }) } catch { npm = false }
  process.stderr.write(`compile_cache_test: ${e.message}\n${npm ? 'run bash scripts/install-evm.sh' : 'npm is missing: skipped'}\n`)
  process.exit(npm ? 1 : 77)
}

const args = process.argv.slice(2)
let dir = null
let expectHits = 0
const items = []
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--dir') dir = args[++i]
  else if (args[i] === '--expect-hits') expectHits = Number(args[++i])
  else {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(.+)$/.exec(args[i])
    if (!m) { process.stderr.write(`compile_cache_test: bad item ${args[i]}\n`); process.exit(2) }
    items.push({ contract: m[1], files: m[2].split(',') })
  }
}
if (!items.length) { process.stderr.write('usage: compile_cache_test.js [--dir DIR] CONTRACT:FILE[,FILE..] ...\n'); process.exit(2) }
const tmp = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zkinfer_solc_cache_test_'))
if (dir) fs.rmSync(dir, { recursive: true, force: true })

const placeholder = /__\$[0-9a-f]{34}\$__/g
const norm = (hex) => hex.replace(placeholder, '_'.repeat(40))
// The creation code split around the runtime code it carries: [before, runtime, after].
function split(creation, runtime) {
  const at = creation.lastIndexOf(stripMetadata(runtime))
  if (at < 0) return null
  return [creation.slice(0, at), creation.slice(at, at + runtime.length), creation.slice(at + runtime.length)]
}
function find(out, name) {
  for (const f of Object.keys(out.contracts || {})) if (out.contracts[f][name]) return out.contracts[f][name]
  return null
}
function linked(out, name, seen = new Set()) {
  if (seen.has(name)) return seen
  seen.add(name)
  const c = find(out, name)
  for (const libs of Object.values(c?.evm.bytecode.linkReferences ?? {})) for (const lib of Object.keys(libs)) linked(out, lib, seen)
  return seen
}

let failures = 0
const fail = (msg) => { ++failures; process.stdout.write(`FAIL ${msg}\n`) }
const fresh = new Map()
let firstPassHits = 0
for (const pass of [1, 2]) {
  for (const it of items) {
    const label = `${it.contract} (${it.files.map((f) => path.basename(f)).join(', ')}), pass ${pass}`
    const got = compileCached(it.files, it.contract, tmp)
    if (!got) { fail(`${label}: the sources were not split`); continue }
    if (compileErrors(got.out).length) { fail(`${label}: compile errors`); continue }
    if (pass === 1) firstPassHits += got.stats.hits
    if (pass === 2 && got.stats.compiled.length) fail(`${label}: compiled ${got.stats.compiled.join(', ')} with everything in the cache`)
    const key = it.contract + ':' + it.files.join(',')
    if (!fresh.has(key)) {
      const out = compileInput(makeInput(it.files, { '*': { '*': runOutputs } }))
      if (compileErrors(out).length) { fail(`${label}: the full compile failed`); continue }
      fresh.set(key, out)
    }
    const ref = fresh.get(key)
    const names = linked(ref, it.contract)
    const mine = linked(got.out, it.contract)
    if ([...names].sort().join() !== [...mine].sort().join())
      fail(`${label}: links [${[...mine].sort()}], the full compile [${[...names].sort()}]`)
    let bytes = 0
    for (const n of names) {
      const a = find(got.out, n), b = find(ref, n)
      if (!a || !b) { fail(`${label}: ${n} missing`); continue }
      const ra = norm(a.evm.deployedBytecode.object), rb = norm(b.evm.deployedBytecode.object)
      if (ra.length !== rb.length) fail(`${label}: ${n}'s runtime code is ${ra.length / 2} bytes, the full compile's ${rb.length / 2}`)
      else if (stripMetadata(ra) !== stripMetadata(rb)) fail(`${label}: ${n}'s runtime code differs`)
      const sa = split(norm(a.evm.bytecode.object), ra), sb = split(norm(b.evm.bytecode.object), rb)
      if (!sa || !sb) fail(`${label}: ${n}'s creation code does not hold its runtime code`)
      else if (sa[0] !== sb[0] || sa[2] !== sb[2] || stripMetadata(sa[1]) !== stripMetadata(sb[1])) fail(`${label}: ${n}'s creation code differs`)
      const la = a.evm.bytecode.linkReferences, lb = b.evm.bytecode.linkReferences
      const flat = (l) => JSON.stringify(Object.values(l ?? {}).flatMap((x) => Object.entries(x)).sort())
      if (flat(la) !== flat(lb)) fail(`${label}: ${n}'s link references differ`)
      bytes += rb.length / 2
    }
    process.stdout.write(`${label}: ${names.size} contracts (${bytes} bytes of runtime code) equal; ${got.stats.hits} from the cache, compiled [${got.stats.compiled.join(', ')}] in ${got.stats.ms} ms\n`)
  }
}
if (firstPassHits < expectHits) fail(`the first pass read ${firstPassHits} units from the cache, expected at least ${expectHits}`)
if (!dir) fs.rmSync(tmp, { recursive: true, force: true })
process.stdout.write(failures ? `${failures} failures\n` : 'all equal\n')
process.exit(failures ? 1 : 0)
