// zkinfer's Solidity compile for the EVM tools (tests only): run.js and profile.js build solc's input
// here (one set of settings), and run.js compiles through the per-contract cache.
//
// The per-contract cache (--cache-dir DIR, or the environment's ZKINFER_SOLC_CACHE_DIR): the
// sources (the given files and every file they import) are split into top-level units (library,
// contract, interface and abstract contract blocks; a small scanner that skips comments and string
// literals). A unit's key is a SHA-256 of solc's version, the settings, and for every unit of its
// closure (the units whose names it mentions as identifiers, transitively, its file's import
// statements counting as mentions) that unit's name, text and its file's file-level text (pragmas
// and imports, comments dropped), plus the file-level declarations of every file (none in
// contracts/ today: they count for every unit); solc's version is solcId(), a hash of soljson.js
// (solc-js itself loads only when something is compiled). Only the units not in the cache among those the
// target needs (the target, and the libraries with external or public functions in its closure;
// then whatever its linkReferences name, transitively) are compiled, in one solc call with
// outputSelection restricted to them and the sources unchanged; each unit's output is stored as
// DIR/<key>.json (written to a temporary file and renamed: processes may share DIR). A unit's code
// depends only on the texts in its key, except solc's metadata trailer (the CBOR at the end of the
// runtime code, whose IPFS hash covers the whole source file): a unit read from the cache carries
// the trailer of the compile that stored it, of the same length. compile_cache_test.js checks the
// assembled code against a fresh full compile byte for byte but for that trailer.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// solc-js loads lazily (about 0.9 s of CPU): a run whose units all come from the cache never loads it.
let solcModule = null
export function getSolc() {
  solcModule ??= require('solc')
  return solcModule
}
// The compiler's identity without loading it: a SHA-256 of soljson.js (the compiler itself) and the
// package's version.
let solcIdentity = null
export function solcId() {
  if (!solcIdentity) {
    const js = require.resolve('solc/soljson.js')
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(js), 'package.json'), 'utf8'))
    solcIdentity = `solc-js ${pkg.version} soljson.js ${sha(fs.readFileSync(js))}`
  }
  return solcIdentity
}

export const settings = {
  optimizer: { enabled: true, runs: 200 },
  viaIR: true,
  evmVersion: 'cancun',
}
export const runOutputs = ['evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object']

export const sha = (s) => crypto.createHash('sha256').update(s).digest('hex')

// solc's input for these files (keyed by their absolute paths) with this outputSelection.
export function makeInput(files, outputSelection) {
  const sources = {}
  for (const f of files) sources[path.resolve(f)] = { content: fs.readFileSync(f, 'utf8') }
  return { language: 'Solidity', sources, settings: { ...settings, outputSelection } }
}

export function findImports(p) {
  try {
    return { contents: fs.readFileSync(path.resolve(p), 'utf8') }
  } catch (e) {
    return { error: `${p}: ${e.message}` }
  }
}

// solc's output for `input`; `onImport(path, contents)` sees every imported file read.
export function compileInput(input, onImport = null) {
  const cb = (p) => {
    const r = findImports(p)
    if (onImport && r.contents !== undefined) onImport(path.resolve(p), r.contents)
    return r
  }
  return JSON.parse(getSolc().compile(JSON.stringify(input), { import: cb }))
}

export const compileErrors = (out) => (out.errors || []).filter((e) => e.severity === 'error')

// ---- the scanner ----
// Tokens of Solidity text: identifiers/keywords, numbers, strings (with their quotes), punctuation;
// comments skipped. Each token: { t: text, s: start, e: end }.
export function tokenize(text) {
  const toks = []
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text[i]
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') ++i
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
    } else if (c === '"' || c === "'") {
      const s = i++
      while (i < n && text[i] !== c) i += text[i] === '\\' ? 2 : 1
      ++i
      toks.push({ t: text.slice(s, Math.min(i, n)), s, e: Math.min(i, n) })
    } else if (/[A-Za-z_$]/.test(c)) {
      const s = i
      while (i < n && /[A-Za-z0-9_$]/.test(text[i])) ++i
      toks.push({ t: text.slice(s, i), s, e: i })
    } else if (/[0-9]/.test(c)) {
      const s = i
      while (i < n && /[0-9A-Za-z_.]/.test(text[i])) ++i
      toks.push({ t: text.slice(s, i), s, e: i })
    } else if (/\s/.test(c)) {
      ++i
    } else {
      toks.push({ t: c, s: i, e: i + 1 })
      ++i
    }
  }
  return toks
}

const isIdent = (t) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(t)

// One file's units and file-level text: { units: [{name, kind, text, mentions}], fileLevel: string,
// imports: [import path strings], declarations: string (file-level text other than pragmas and imports),
// importMentions: [identifiers in its import statements], unscannable: reason or null }.
export function scanFile(text) {
  const toks = tokenize(text)
  const units = []
  const fileTokens = []  // tokens outside units
  const imports = []
  const importMentions = []
  const declTokens = []
  let unscannable = null
  let i = 0
  while (i < toks.length) {
    const t = toks[i].t
    const kindAt = t === 'abstract' && toks[i + 1]?.t === 'contract' ? i + 1 : i
    const kind = toks[kindAt].t
    if ((kind === 'contract' || kind === 'library' || kind === 'interface') && isIdent(toks[kindAt + 1]?.t ?? '')) {
      // a unit: from its keyword to its matching '}'
      let j = kindAt + 2
      while (j < toks.length && toks[j].t !== '{') ++j
      let depth = 0
      for (; j < toks.length; ++j) {
        if (toks[j].t === '{') ++depth
        else if (toks[j].t === '}' && --depth === 0) break
      }
      if (j >= toks.length) { unscannable = `unbalanced braces in ${kind} ${toks[kindAt + 1].t}`; break }
      const mentions = new Set()
      for (let k = i; k <= j; ++k) if (isIdent(toks[k].t)) mentions.add(toks[k].t)
      units.push({ name: toks[kindAt + 1].t, kind, text: text.slice(toks[i].s, toks[j].e), mentions })
      i = j + 1
      continue
    }
    // a file-level statement: up to its ';' (or a braced block: a free function, struct, enum, ...)
    const s = i
    const semicolonOnly = ['import', 'pragma', 'using'].includes(toks[i].t)
    let depth = 0
    for (; i < toks.length; ++i) {
      if (toks[i].t === '{') ++depth
      else if (toks[i].t === '}') { if (--depth === 0 && !semicolonOnly) { ++i; break } }
      else if (toks[i].t === ';' && depth === 0) { ++i; break }
    }
    const stmt = toks.slice(s, i)
    fileTokens.push(...stmt.map((x) => x.t))
    if (stmt[0].t === 'pragma') continue
    if (stmt[0].t === 'import') {
      const strs = stmt.filter((x) => x.t[0] === '"' || x.t[0] === "'")
      // import "p"; import {A as B, C} from "p"; (import * as X / import "p" as X: names we cannot follow)
      if (strs.length !== 1 || stmt.some((x) => x.t === '*' || x.t === 'as') && !stmt.some((x) => x.t === '{'))
        unscannable = `an import statement the scanner does not follow: ${stmt.map((x) => x.t).join(' ')}`
      imports.push(strs[0]?.t.slice(1, -1) ?? '')
      for (const x of stmt) if (isIdent(x.t)) importMentions.push(x.t)
      continue
    }
    declTokens.push(...stmt.map((x) => x.t))
  }
  return { units, fileLevel: fileTokens.join(' '), imports, importMentions, declarations: declTokens.join(' '), unscannable }
}

// Every file of the compilation (the given files and their imports, by absolute path), scanned.
export function scanSources(files) {
  const scanned = new Map()  // absolute path -> scanFile(...) + { text }
  const todo = files.map((f) => path.resolve(f))
  while (todo.length) {
    const f = todo.pop()
    if (scanned.has(f)) continue
    let text
    try {
      text = fs.readFileSync(f, 'utf8')
    } catch {
      return null  // solc will report the missing import
    }
    const sc = scanFile(text)
    sc.text = text
    scanned.set(f, sc)
    for (const p of sc.imports) todo.push(p.startsWith('.') ? path.resolve(path.dirname(f), p) : path.resolve(p))
  }
  return scanned
}

// The units with their keys: Map name -> [{ name, file, kind, text, key, linkable }].
export function unitKeys(scanned) {
  const byName = new Map()
  const all = []
  let declarations = []
  for (const [file, sc] of scanned) {
    if (sc.declarations) declarations.push(sc.declarations)
    for (const u of sc.units) {
      const unit = { ...u, file, fileLevel: sc.fileLevel, importMentions: sc.importMentions }
      // a library an outside caller links: one with an external or public function
      unit.linkable = u.kind === 'library' && (u.mentions.has('external') || u.mentions.has('public'))
      all.push(unit)
      if (!byName.has(u.name)) byName.set(u.name, [])
      byName.get(u.name).push(unit)
    }
  }
  declarations = declarations.sort()
  // file-level declarations: their names count as mentioned by every unit
  const declMentions = new Set(declarations.flatMap((d) => d.split(' ').filter(isIdent)))
  const version = solcId()
  for (const u of all) {
    const closure = new Set([u])
    const todo = [u]
    while (todo.length) {
      const v = todo.pop()
      for (const names of [v.mentions, v.importMentions, declMentions])
        for (const m of names)
          for (const w of byName.get(m) ?? [])
            if (!closure.has(w)) closure.add(w), todo.push(w)
    }
    u.closure = closure
    const parts = [...closure].map((v) => [v.name, v.fileLevel, v.text]).sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
    u.key = sha(JSON.stringify({ solc: version, settings, target: u.name, declarations, units: parts }))
  }
  return byName
}

function readEntry(dir, key) {
  try {
    const e = JSON.parse(fs.readFileSync(path.join(dir, key + '.json'), 'utf8'))
    return e.key === key ? e : null
  } catch {
    return null
  }
}

function writeEntry(dir, entry) {
  fs.mkdirSync(dir, { recursive: true })
  const tmp = path.join(dir, `${entry.key}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`)
  fs.writeFileSync(tmp, JSON.stringify(entry))
  fs.renameSync(tmp, path.join(dir, entry.key + '.json'))
}

// Compiles `files` for `target` (and what it links) through the per-contract cache in `dir`.
// Returns { out (solc's output form: contracts[file][name].evm..., errors), imports (path -> sha of
// every imported file read), stats: { hits, compiled: [names], ms } } or null when the sources
// cannot be split (then the caller compiles them whole).
export function compileCached(files, target, dir) {
  const t0 = Date.now()
  const scanned = scanSources(files)
  if (!scanned) return null
  for (const sc of scanned.values()) if (sc.unscannable) return null
  const byName = unitKeys(scanned)
  if (!byName.has(target)) return null
  const imports = {}
  for (const [f, sc] of scanned) if (!files.some((g) => path.resolve(g) === f)) imports[f] = sha(sc.text)
  const entries = new Map()  // name -> cache entry
  const stats = { hits: 0, compiled: [], ms: 0 }
  const one = (name) => {
    const us = byName.get(name)
    return us && us.length === 1 ? us[0] : null
  }
  // the units to have: the target and the linkable libraries of its closure
  const tu = one(target)
  if (!tu) return null
  let want = [tu, ...[...tu.closure].filter((u) => u.linkable && u !== tu)]
  let errors = []
  for (let round = 0; want.length && round < 8; ++round) {
    const missing = []
    for (const u of want) {
      if (entries.has(u.name)) continue
      const e = readEntry(dir, u.key)
      if (e) entries.set(u.name, e), ++stats.hits
      else missing.push(u)
    }
    if (missing.length) {
      const sel = {}
      for (const u of missing) (sel[u.file] ??= {})[u.name] = runOutputs
      const out = compileInput(makeInput(files, sel))
      errors = out.errors || []
      if (compileErrors(out).length) return { out: { errors }, imports, stats }
      for (const u of missing) {
        const c = out.contracts?.[u.file]?.[u.name]
        if (!c) return null  // a unit solc named otherwise: compile whole
        const refs = {}
        for (const libs of Object.values(c.evm.bytecode.linkReferences || {}))
          for (const [lib, pos] of Object.entries(libs)) refs[lib] = pos
        const e = { key: u.key, name: u.name, bytecode: c.evm.bytecode.object, linkReferences: refs, deployedBytecode: c.evm.deployedBytecode.object }
        writeEntry(dir, e)
        entries.set(u.name, e)
        stats.compiled.push(u.name)
      }
    }
    // the libraries the code links, transitively
    want = []
    for (const e of entries.values())
      for (const lib of Object.keys(e.linkReferences)) {
        if (entries.has(lib)) continue
        const u = one(lib)
        if (!u) return null
        if (!want.includes(u)) want.push(u)
      }
  }
  if (want.length) return null
  // solc's output form, each unit under its file here
  const contracts = {}
  for (const e of entries.values()) {
    const u = one(e.name)
    const linkReferences = {}
    for (const [lib, pos] of Object.entries(e.linkReferences)) (linkReferences[one(lib).file] ??= {})[lib] = pos
    ;(contracts[u.file] ??= {})[e.name] = { evm: { bytecode: { object: e.bytecode, linkReferences }, deployedBytecode: { object: e.deployedBytecode } } }
  }
  stats.ms = Date.now() - t0
  return { out: { contracts, errors }, imports, stats }
}

// The runtime code without solc's CBOR metadata trailer (its length in the last two bytes).
export function stripMetadata(hex) {
  if (hex.length < 4) return hex
  const n = parseInt(hex.slice(-4), 16)
  return 2 * (n + 2) <= hex.length ? hex.slice(0, hex.length - 2 * (n + 2)) : hex
}
