#!/usr/bin/env node
// A gas profiler for the EVM verifier (a development tool, not a test): compiles like run.js,
// deploys NAME and its linked libraries, runs one call (calldata hex on stdin) and attributes every
// executed opcode's gas to the Solidity source it was compiled from (solc's source map of the
// deployed code: the innermost function whose text contains the opcode's source range; code
// inlined by the optimizer counts for the function it was written in).
//
//   node tools/evm/profile.js --contract NAME [--top N] [--lines] [--mem [--timeline]] A.sol < calldata.hex
//
// Prints the call's gas, then per deployed contract (the verifier and each library: the phases of
// a generated verifier) its exclusive gas, then the top N functions by exclusive gas (with
// --lines: the top N source lines too). Exclusive: an opcode's own cost; a call's cost is its
// base and memory cost, without the callee's opcodes (they count where they run); a precompile
// call (address < 0x100) counts in full for the calling line. --mem: memory expansion gas by
// source line and each contract's largest memory; --timeline (with --mem): the top frame's memory
// at each of its calls, with the callee (where the contract's memory grows). The step hook copies no memory
// (the library's own hook would copy the whole memory per opcode).
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import { compileInput, findImports, makeInput, runOutputs } from './compile.js'
const { createEVM } = await import('@ethereumjs/evm')
const { Common, Mainnet } = await import('@ethereumjs/common')
const { Address, hexToBytes } = await import('@ethereumjs/util')
const evmDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'node_modules/@ethereumjs/evm')
const { Interpreter } = await import(pathToFileURL(path.join(evmDir, 'dist/esm/interpreter.js')).href)

const args = process.argv.slice(2)
let contractName = null
let top = 40
let lines = false
let mem = false
let timeline = false
const files = []
for (let i = 0; i < args.length; ++i) {
  const a = args[i]
  if (a === '--contract') contractName = args[++i]
  else if (a === '--top') top = Number(args[++i])
  else if (a === '--lines') lines = true
  else if (a === '--mem') mem = true
  else if (a === '--timeline') timeline = true
  else files.push(a)
}
if (!contractName || files.length === 0) {
  process.stderr.write('usage: node profile.js --contract NAME [--top N] [--lines] [--mem [--timeline]] A.sol ... < calldata.hex\n')
  process.exit(2)
}

// the compile of run.js (compile.js's settings), with the source maps and the ASTs; not cached
const input = makeInput(files, {
  '*': { '*': [...runOutputs, 'evm.deployedBytecode.sourceMap', 'evm.deployedBytecode.functionDebugData'], '': ['ast'] },
})
const out = compileInput(input)
const errors = (out.errors || []).filter((e) => e.severity === 'error')
if (errors.length) {
  for (const e of errors) process.stderr.write(e.formattedMessage + '\n')
  process.exit(2)
}

// Source ids -> text, and every function's [start, end) with its qualified name.
const srcById = new Map()
const fnsById = new Map()
for (const [file, s] of Object.entries(out.sources)) {
  const text = (input.sources[file] || { content: findImports(file).contents || '' }).content
  srcById.set(s.id, { file, text })
  const fns = []
  const walk = (node, owner) => {
    if (!node || typeof node !== 'object') return
    if (node.nodeType === 'ContractDefinition') owner = node.name
    if (node.nodeType === 'FunctionDefinition' || node.nodeType === 'ModifierDefinition') {
      const [st, len] = node.src.split(':').map(Number)
      fns.push({ start: st, end: st + len, name: `${owner}.${node.name || node.kind}` })
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) for (const c of v) walk(c, owner)
      else if (v && typeof v === 'object' && v.nodeType) walk(v, owner)
    }
  }
  walk(s.ast, '')
  fnsById.set(s.id, fns)
}
function lineOf(text, off) {
  let n = 1
  for (let i = 0; i < off && i < text.length; ++i) if (text.charCodeAt(i) === 10) ++n
  return n
}

// pc -> source range, per contract (the decompressed source map, indexed by instruction).
function pcMap(bytecodeHex, sourceMap) {
  const code = hexToBytes('0x' + bytecodeHex.replace(/__\$[0-9a-f]{34}\$__/g, '0'.repeat(40)))
  const entries = sourceMap.split(';')
  const map = new Map()
  let s = 0, l = 0, f = -1
  let pc = 0
  for (let i = 0; i < entries.length && pc < code.length; ++i) {
    const parts = entries[i].split(':')
    if (parts[0] !== undefined && parts[0] !== '') s = Number(parts[0])
    if (parts[1] !== undefined && parts[1] !== '') l = Number(parts[1])
    if (parts[2] !== undefined && parts[2] !== '') f = Number(parts[2])
    map.set(pc, { s, l, f })
    const op = code[pc]
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1
  }
  return map
}

function findContract(name) {
  for (const file of Object.keys(out.contracts || {})) if (out.contracts[file][name]) return out.contracts[file][name]
  return null
}
const common = new Common({ chain: Mainnet, hardfork: 'osaka' })
const evm = await createEVM({ common })
const caller = new Address(hexToBytes('0x' + '11'.repeat(20)))
const deployed = new Map()
const byAddr = new Map()  // address hex -> { name, map }
async function deploy(name) {
  if (deployed.has(name)) return deployed.get(name)
  const c = findContract(name)
  let code = c.evm.bytecode.object
  const refs = c.evm.bytecode.linkReferences || {}
  for (const file of Object.keys(refs))
    for (const lib of Object.keys(refs[file])) {
      const addr = await deploy(lib)
      for (const { start, length } of refs[file][lib]) code = code.slice(0, 2 * start) + addr + code.slice(2 * (start + length))
    }
  const res = await evm.runCall({ caller, data: hexToBytes('0x' + code), gasLimit: 30_000_000n, skipBalance: true })
  if (res.execResult.exceptionError) throw new Error(`deploying ${name}: ${res.execResult.exceptionError.error}`)
  const addr = res.createdAddress.toString().slice(2)
  deployed.set(name, addr)
  const entries = Object.entries(c.evm.deployedBytecode.functionDebugData || {})
    .filter(([, d]) => d.entryPoint != null).map(([n, d]) => [d.entryPoint, n]).sort((a, b) => a[0] - b[0])
  byAddr.set(addr, { name, map: pcMap(c.evm.deployedBytecode.object, c.evm.deployedBytecode.sourceMap), entries })
  return addr
}
const to = new Address(hexToBytes('0x' + (await deploy(contractName))))

// A lean step hook: no memory or stack copies.
const steps = []
Interpreter.prototype._runStepHook = async function (dynamicFee, gasLeft) {
  steps.push({
    pc: this._runState.programCounter,
    gasLeft,
    depth: this._env.depth,
    words: mem ? Number(this._runState.memoryWordCount) : 0,
    op: this._runState.opCode,
    addr: this._env.codeAddress.toString().slice(2),
    target: this._runState.opCode === 0xfa || this._runState.opCode === 0xf4 || this._runState.opCode === 0xf1
      ? this._runState.stack.peek(2)[1] : undefined,
  })
}
evm.events.on('step', () => {})

const hex = fs.readFileSync(0, 'utf8').trim()
const res = await evm.runCall({ caller, to, data: hexToBytes(hex.startsWith('0x') ? hex : '0x' + hex), gasLimit: 100_000_000n, skipBalance: true })
const total = Number(res.execResult.executionGasUsed)
process.stdout.write(`success ${!res.execResult.exceptionError} gasUsed ${total} steps ${steps.length}\n`)

// Costs: a plain step's cost is gasLeft[k] - gasLeft[k + 1] (the next step of its frame); a call
// into code is inclusive from its gasLeft to the next step back in its frame, less the inclusive
// costs of its callee's steps (exclusive); a precompile call has no callee steps (inclusive).
const incl = new Float64Array(steps.length)
const calleeEnd = new Int32Array(steps.length).fill(-1)
for (let k = 0; k < steps.length; ++k) {
  const s = steps[k]
  const n = k + 1 < steps.length ? steps[k + 1] : null
  if (n && n.depth > s.depth) {
    let j = k + 1
    while (j < steps.length && steps[j].depth > s.depth) ++j
    calleeEnd[k] = j
    incl[k] = j < steps.length ? Number(s.gasLeft - steps[j].gasLeft) : 0
  } else if (n && n.depth === s.depth) {
    incl[k] = Number(s.gasLeft - n.gasLeft)
  }  // else the frame's last step (RETURN, STOP, REVERT): counted 0
}
const cost = Float64Array.from(incl)
for (let k = 0; k < steps.length; ++k) {
  if (calleeEnd[k] < 0) continue
  for (let j = k + 1; j < calleeEnd[k]; ++j) if (steps[j].depth === steps[k].depth + 1) cost[k] -= incl[j]
}

// Where a pc's code was written: (function, line), memoized per contract and pc. Code the
// compiler generates (ABI coding, allocation, checked arithmetic, bounds checks) maps to the
// contract's own definition or to a constant's: it counts for the last function of the same frame
// that ran before it ("name +gen"), its caller in practice.
const memo = new Map()
function where(c, pc) {
  const key = c.name + ':' + pc
  if (memo.has(key)) return memo.get(key)
  let r = null
  const m = c.map.get(pc)
  if (m && m.f >= 0 && srcById.has(m.f)) {
    const fns = fnsById.get(m.f)
    let best = null
    for (const f of fns) if (f.start <= m.s && m.s + m.l <= f.end && (!best || f.end - f.start < best.end - best.start)) best = f
    if (best) r = { fn: best.name, line: `${path.basename(srcById.get(m.f).file)}:${lineOf(srcById.get(m.f).text, m.s)}` }
  }
  memo.set(key, r)
  return r
}
// The generated Yul function a pc is in (the last entry point at or before it).
function yulFn(c, pc) {
  let lo = 0, hi = c.entries.length - 1, best = '?'
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (c.entries[mid][0] <= pc) { best = c.entries[mid][1]; lo = mid + 1 } else hi = mid - 1
  }
  return best
}
const byContract = new Map()
const byFn = new Map()
const byLine = new Map()
const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v)
const lastFn = []  // per depth: the last function seen in the frame
for (let k = 0; k < steps.length; ++k) {
  const s = steps[k]
  if (k === 0 || s.depth > steps[k - 1].depth) lastFn[s.depth] = undefined  // a new frame
  const c = byAddr.get(s.addr)
  const cname = c ? c.name : s.addr
  add(byContract, cname, cost[k])
  const w = c ? where(c, s.pc) : null
  let fn, ln
  if (w) {
    fn = w.fn
    ln = `${w.line} (${w.fn})`
    lastFn[s.depth] = w.fn
  } else {
    fn = `${lastFn[s.depth] || cname} +gen`
    ln = `${fn}:${c ? yulFn(c, s.pc) : '?'}`
  }
  add(byFn, fn, cost[k])
  if (lines) add(byLine, ln, cost[k])
}
const show = (title, m, n) => {
  process.stdout.write(`\n${title}\n`)
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
  for (const [k, v] of rows) process.stdout.write(`${String(Math.round(v)).padStart(10)}  ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}\n`)
}
show('by contract (exclusive)', byContract, 100)
show(`top ${top} functions (exclusive)`, byFn, top)
if (lines) show(`top ${top} lines (exclusive)`, byLine, top)
// --mem: memory expansion gas (3 w + w^2 / 512 per frame) by source line, and each contract's
// largest memory.
if (mem && timeline) {
  process.stdout.write('\nthe top frame\'s memory (bytes) at each of its calls\n')
  for (const s of steps) {
    if (s.depth !== 0 || (s.op !== 0xfa && s.op !== 0xf4 && s.op !== 0xf1)) continue
    const t = s.target === undefined ? '?' : s.target.toString(16).padStart(40, '0')
    process.stdout.write(`${String(32 * s.words).padStart(10)}  -> ${byAddr.get(t)?.name || '0x' + t}\n`)
  }
}
if (mem) {
  const cw = (w) => 3 * w + Math.floor(w * w / 512)
  const byMem = new Map()
  const maxWords = new Map()
  for (let k = 0; k + 1 < steps.length; ++k) {
    const s = steps[k], n = steps[k + 1]
    const c = byAddr.get(s.addr)
    const cname = c ? c.name : s.addr
    maxWords.set(cname, Math.max(maxWords.get(cname) || 0, s.words))
    if (n.depth !== s.depth || n.words <= s.words) continue
    const w = c ? where(c, s.pc) : null
    add(byMem, w ? `${w.line} (${w.fn})` : `${cname} +gen:${c ? yulFn(c, s.pc) : '?'}`, cw(n.words) - cw(s.words))
  }
  let tot = 0
  for (const v of byMem.values()) tot += v
  process.stdout.write(`\nmemory expansion gas ${tot}; largest memory per contract (bytes):\n`)
  for (const [k, v] of maxWords) process.stdout.write(`${String(32 * v).padStart(10)}  ${k}\n`)
  show(`top ${top} lines by memory expansion`, byMem, top)
}
