#!/usr/bin/env node
// zkinfer's EVM runner (tests only): compiles Solidity sources with solc-js, deploys one contract
// to an in-memory @ethereumjs/evm (mainnet rules of one hardfork, Osaka by default) and calls it.
//
//   node tools/evm/run.js --contract NAME [--hardfork osaka] [--calls FILE] [--size] [--cache FILE] [--cache-dir DIR]
//                         [--patch NAME:FROM:TO ...] A.sol [B.sol ...]
//
// Without --calls: one call whose calldata (hex, 0x optional) is read from stdin. With --calls FILE:
// FILE holds one calldata hex string per line (empty lines skipped); every call runs against the
// same freshly deployed contract (state changes are not rolled back between calls; the verifier
// contracts are view-only). Output: one JSON object per call and line, in order:
//
//   {"success": bool, "returnData": "0x..", "gasUsed": N, "calldataGas": N, "txGas": N, "error": ".."}
//
// gasUsed is the execution gas of the call (what the contract's code and the precompiles cost);
// calldataGas the transaction's calldata charge (16 per non-zero byte, 4 per zero byte, EIP-2028);
// txGas what a transaction calling the verifier would pay since Prague: the larger of
// 21000 + calldataGas + gasUsed and EIP-7623's floor 21000 + 10 (zero bytes + 4 non-zero bytes)
// (the floor wins when execution costs less than 1.5 times the calldata charge). --size prints
// the deployed code size first as {"codeSize": N} (with {"libraries": {name: size}} when the contract
// links libraries with external functions: each is deployed first and its address linked in). Compile errors go to stderr, exit status 2;
// bad arguments exit 2. Imports resolve relative to the importing file.
//
// --cache-dir DIR (default: the environment's ZKINFER_SOLC_CACHE_DIR; --no-cache-dir: none) compiles
// through the per-contract cache of compile.js: only the target and the libraries it links that are
// not in DIR are compiled, each stored there (a key per contract: solc's version, the settings and
// the texts of the units it mentions, transitively); ZKINFER_SOLC_CACHE_LOG=FILE appends which to FILE.
// --cache FILE keeps solc's output in FILE, keyed by a SHA-256 of solc's version and the compiler
// input, and every imported file's contents: a later run on the same sources skips the compile (seconds instead of
// minutes for a model's verifier). --patch NAME:FROM:TO (hex, repeatable) replaces FROM, which must
// occur exactly once in the compiled code, by TO (the same length; all found before any is replaced) in contract or library NAME's creation code before it
// is deployed: a test deploys the verifier with one of its constants changed (a key commitment, a
// weight row) without a second compile, and checks that the honest proof is then rejected.
import fs from 'node:fs'
import { compileCached, compileErrors, compileInput, makeInput, runOutputs, sha, solcId } from './compile.js'
const { createEVM } = await import('@ethereumjs/evm')
const { Common, Mainnet } = await import('@ethereumjs/common')
const { Address, hexToBytes, bytesToHex } = await import('@ethereumjs/util')

function usage(msg) {
  process.stderr.write(`run.js: ${msg}\nusage: node run.js --contract NAME [--hardfork HF] [--calls FILE] [--size] A.sol ...\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
let contractName = null
let hardfork = 'osaka'
let callsFile = null
let printSize = false
let cacheFile = null
let cacheDir = process.env.ZKINFER_SOLC_CACHE_DIR || null
const patches = new Map()  // contract name -> [[from, to], ...]
const files = []
for (let i = 0; i < args.length; ++i) {
  const a = args[i]
  if (a === '--contract') contractName = args[++i]
  else if (a === '--hardfork') hardfork = args[++i]
  else if (a === '--calls') callsFile = args[++i]
  else if (a === '--size') printSize = true
  else if (a === '--cache') cacheFile = args[++i]
  else if (a === '--cache-dir') cacheDir = args[++i]
  else if (a === '--no-cache-dir') cacheDir = null
  else if (a === '--patch') {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):([0-9a-fA-F]+):([0-9a-fA-F]+)$/.exec(args[++i] ?? '')
    if (!m || m[2].length !== m[3].length || m[2].length % 2) usage('--patch wants NAME:FROM:TO, FROM and TO hex bytes of one length')
    if (!patches.has(m[1])) patches.set(m[1], [])
    patches.get(m[1]).push([m[2].toLowerCase(), m[3].toLowerCase()])
  }
  else if (a.startsWith('--')) usage(`unknown option ${a}`)
  else files.push(a)
}
if (!contractName) usage('--contract is required')
if (files.length === 0) usage('no Solidity sources given')

// ---- compile ----
for (const f of files) if (!fs.existsSync(f)) usage(`${f}: no such file`)
const input = makeInput(files, { '*': { '*': runOutputs } })
const inputText = JSON.stringify(input)
const cacheKey = sha(solcId() + '\n' + inputText)  // (the compiler too)
let out = null
if (cacheFile && fs.existsSync(cacheFile)) {
  try {
    const c = JSON.parse(fs.readFileSync(cacheFile, 'utf8'))
    const fresh = c.key === cacheKey &&
      Object.entries(c.imports).every(([p, h]) => { try { return sha(fs.readFileSync(p, 'utf8')) === h } catch { return false } })
    if (fresh) out = c.out
  } catch {
    out = null  // an unreadable cache is compiled again
  }
}
if (!out) {
  let imports = {}
  const cached = cacheDir ? compileCached(files, contractName, cacheDir) : null
  if (cached) {
    out = cached.out
    imports = cached.imports
    if (process.env.ZKINFER_SOLC_CACHE_LOG)  // a file (the tests read run.js's output, stderr too)
      fs.appendFileSync(process.env.ZKINFER_SOLC_CACHE_LOG,
                        `${contractName}: ${cached.stats.hits} units from the cache, compiled [${cached.stats.compiled.join(', ')}] in ${cached.stats.ms} ms\n`)
  } else {
    out = compileInput(input, (p, text) => { imports[p] = sha(text) })
  }
  const failed = compileErrors(out).length > 0
  if (cacheFile && !failed) {
    const tmp = `${cacheFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify({ key: cacheKey, imports, out }))
    fs.renameSync(tmp, cacheFile)
  }
}
const errors = (out.errors || []).filter((e) => e.severity === 'error')
if (errors.length) {
  for (const e of errors) process.stderr.write(e.formattedMessage + '\n')
  process.exit(2)
}
// ---- deploy (libraries with external functions first, linked by address) ----
const common = new Common({ chain: Mainnet, hardfork })
const evm = await createEVM({ common })
const caller = new Address(hexToBytes('0x' + '11'.repeat(20)))
function findContract(name) {
  for (const file of Object.keys(out.contracts || {})) if (out.contracts[file][name]) return out.contracts[file][name]
  return null
}
const deployed = new Map()  // contract name -> address (hex, no 0x)
const sizes = []  // [name, deployed size] in deployment order
async function deployContract(name, depth = 0) {
  if (deployed.has(name)) return deployed.get(name)
  if (depth > 16) usage(`library links nest too deeply at ${name}`)
  const c = findContract(name)
  if (!c) usage(`no contract ${name} in the sources`)
  let code = c.evm.bytecode.object
  // every FROM found in the compiled code first, then all replaced (one patch's TO may equal another's FROM)
  const found = (patches.get(name) ?? []).map(([from, to]) => {
    const at = code.indexOf(from)
    if (at < 0 || at % 2 || code.indexOf(from, at + 1) >= 0) usage(`--patch: ${name}'s code holds ${from.slice(0, 16)}... ${at < 0 ? 'nowhere' : 'more than once or unaligned'}`)
    return [at, to]
  })
  for (const [at, to] of found) code = code.slice(0, at) + to + code.slice(at + to.length)
  const refs = c.evm.bytecode.linkReferences || {}
  for (const file of Object.keys(refs))
    for (const lib of Object.keys(refs[file])) {
      const addr = await deployContract(lib, depth + 1)
      for (const { start, length } of refs[file][lib]) code = code.slice(0, 2 * start) + addr + code.slice(2 * (start + length))
    }
  const size = c.evm.deployedBytecode.object.length / 2
  const res = await evm.runCall({ caller, data: hexToBytes('0x' + code), gasLimit: 30_000_000n, skipBalance: true })
  if (res.execResult.exceptionError || !res.createdAddress) {
    process.stderr.write(`run.js: deployment of ${name} failed: ${res.execResult.exceptionError?.error ?? 'no address'} (deployed size ${size} bytes; the limit is 24576)\n`)
    process.exit(2)
  }
  const addr = res.createdAddress.toString().slice(2)
  deployed.set(name, addr)
  sizes.push([name, size])
  return addr
}
const toHex = await deployContract(contractName)
for (const name of patches.keys()) if (!deployed.has(name)) usage(`--patch: ${name} is not deployed with ${contractName}`)
// codeSize: the contract's own; libraries: every linked library's, in deployment order.
if (printSize) {
  const own = sizes.find(([n]) => n === contractName)[1]
  const libs = Object.fromEntries(sizes.filter(([n]) => n !== contractName))
  process.stdout.write(JSON.stringify(Object.keys(libs).length ? { codeSize: own, libraries: libs } : { codeSize: own }) + '\n')
}
const to = new Address(hexToBytes('0x' + toHex))

// ---- calls ----
function calldataGas(bytes) {
  let g = 0
  for (const b of bytes) g += b === 0 ? 4 : 16
  return g
}
function floorGas(bytes) {
  let tokens = 0
  for (const b of bytes) tokens += b === 0 ? 1 : 4
  return 21000 + 10 * tokens
}
let calls
if (callsFile) calls = fs.readFileSync(callsFile, 'utf8').split('\n')
else calls = [fs.readFileSync(0, 'utf8')]
calls = calls.map((s) => s.trim()).filter((s) => s.length > 0)
for (const hex of calls) {
  const h = hex.startsWith('0x') ? hex : '0x' + hex
  if (!/^0x([0-9a-fA-F]{2})*$/.test(h)) usage(`calldata is not hex: ${hex.slice(0, 40)}...`)
  const data = hexToBytes(h)
  const res = await evm.runCall({ caller, to, data, gasLimit: 100_000_000n, skipBalance: true })
  const err = res.execResult.exceptionError
  const gasUsed = Number(res.execResult.executionGasUsed)
  const cg = calldataGas(data)
  const rec = {
    success: !err,
    returnData: bytesToHex(res.execResult.returnValue),
    gasUsed,
    calldataGas: cg,
    txGas: Math.max(21000 + cg + gasUsed, floorGas(data)),
  }
  if (err) rec.error = err.error
  process.stdout.write(JSON.stringify(rec) + '\n')
}
