// SPDX-License-Identifier: UNLICENSED
// The sumcheck verifier in zero-knowledge mode (src/sumcheck/verifier.h `verify` over cp Vals:
// every round value and final value a padded message), recording its relations for ZkCp's end
// section (docs/protocol/evm.md section 4.1.1, design (a): sparse affine forms).
//
// The running claim is a form a * claim + sum_j c_j x_j over the claim's form and the rounds' own
// messages (slots s0 .. s0 + n d - 1): round i multiplies a and every c_j by L_1(r_i) and sets the
// round's coefficients (L_0 - L_1 for p(0), L_k for p(k), k >= 2), as the C++ Val arithmetic does.
// The final check records the products of evaluate_composition (terms reduced to their hidden
// factors; two-factor terms grouped by the factor shared by most, lowest index on ties; longer
// terms as chains) in its order, then the equality composition - running = 0. Differentially
// tested with ZkCp's end section by evm_zk_test (`EvmZk.Sumcheck*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkFr} from "./ZkFr.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";

library ZkCpSumcheck {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    error BadShape();

    // The statement: n variables; the composition as flat terms [coeff, k, f_1 .. f_k] x nterms over
    // nf factors; the claim as a flat form.
    struct Statement {
        uint256 n;
        uint256 nf;
        uint256 nterms;
        uint256[] terms;
        uint256[] claim;
    }

    struct Res {
        bytes32 st;
        bool ok;
        uint256 p;          // words read
        uint256[] point;
        uint256 finals;     // the first final value's slot (factor j: finals + j)
    }

    function _degree(Statement memory s) private pure returns (uint256 d, uint256[] memory coeffs) {
        d = 1;
        coeffs = new uint256[](s.nterms);
        uint256 at = 0;
        for (uint256 t = 0; t < s.nterms; ++t) {
            coeffs[t] = s.terms[at];
            uint256 k = s.terms[at + 1];
            for (uint256 i = 0; i < k; ++i) if (s.terms[at + 2 + i] >= s.nf) revert BadShape();
            if (k > d) d = k;
            at += 2 + k;
        }
    }

    // L_k(r) = w_k prod_{j != k} (r - j), k = 0..d.
    function _lagrange(uint256[] memory w, uint256 r) private pure returns (uint256[] memory l) {
        uint256 d = w.length - 1;
        l = new uint256[](d + 1);
        uint256[] memory suf = new uint256[](d + 2);
        suf[d + 1] = 1;
        for (uint256 k = d + 1; k > 0; --k) suf[k - 1] = mulmod(suf[k], addmod(r, R - (k - 1), R), R);
        uint256 pre = 1;
        for (uint256 k = 0; k <= d; ++k) {
            l[k] = mulmod(mulmod(pre, suf[k + 1], R), w[k], R);
            pre = mulmod(pre, addmod(r, R - k, R), R);
        }
    }

    // The rounds' part of verify: the running claim a * claim + sum_j c[j] x_{s0 + j}.
    struct Run {
        Res o;
        uint256 a;
        uint256[] c;
        uint256 s0;
    }

    function verify(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        Statement memory s,
        uint256[] calldata pf
    ) internal view returns (Res memory) {
        Run memory u = _run(st, g, prm, chunks, s, pf);
        _final(g, prm, chunks, s, pf, u, false, 0);
        return u.o;
    }

    // verify with factor 0 known to the verifier (sumcheck::verify's KnownFactors for factor 0):
    // its value at the point r is sum_t wts[t] eq(pts[t], r) (combine's E(r)). The prover's final
    // value of factor 0 must equal it (an equality, recorded first); the composition takes the
    // verifier's value (no product with factor 0).
    function verifyKnown0(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        Statement memory s,
        uint256[][] memory pts,
        uint256[] memory wts,
        uint256[] calldata pf
    ) internal view returns (Res memory) {
        Run memory u = _run(st, g, prm, chunks, s, pf);
        uint256 c0;
        for (uint256 t = 0; t < pts.length; ++t) {
            if (pts[t].length != s.n) revert BadShape();
            c0 = addmod(c0, mulmod(wts[t], ZkSumcheck.eq(pts[t], u.o.point), R), R);
        }
        uint256[] memory e0 = new uint256[](4);
        e0[0] = c0 == 0 ? 0 : R - c0;
        e0[1] = 1;
        e0[2] = u.o.finals;
        e0[3] = 1;
        ZkCp.recordZero(g, e0, 0);
        _final(g, prm, chunks, s, pf, u, true, c0);
        return u.o;
    }

    function _run(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        Statement memory s,
        uint256[] calldata pf
    ) private view returns (Run memory u) {
        (uint256 d, uint256[] memory coeffs) = _degree(s);
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_NUM_VARS, uint64(s.n));
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_DEGREE, uint64(d));
        st = ZkTranscript.absorbFrs(st, ZkSumcheck.L_COEFFS, coeffs);
        uint256[] memory w = ZkSumcheck.lagrangeWeights(d);
        Res memory o = u.o;
        o.ok = true;
        o.point = new uint256[](s.n);
        u.s0 = g.ns;
        uint256 a = 1;
        uint256[] memory c = new uint256[](s.n * d);
        bool okc;
        for (uint256 i = 0; i < s.n; ++i) {
            (st, okc) = ZkCp.absorbMessages(st, g, prm, chunks, ZkSumcheck.L_ROUND, pf[o.p:o.p + d]);
            o.ok = o.ok && okc;
            o.p += d;
            uint256 r;
            (st, r) = ZkTranscript.challenge(st, ZkSumcheck.L_CHALLENGE);
            o.point[i] = r;
            uint256[] memory l = _lagrange(w, r);
            a = mulmod(a, l[1], R);
            for (uint256 j = 0; j < i * d; ++j) c[j] = mulmod(c[j], l[1], R);
            c[i * d] = addmod(l[0], R - l[1], R);
            for (uint256 k = 2; k <= d; ++k) c[i * d + k - 1] = l[k];
        }
        o.finals = u.s0 + s.n * d;
        o.st = st;
        u.a = a;
        u.c = c;
    }

    // the final check: composition(finals) - running = 0, then the final values absorbed
    function _final(
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        Statement memory s,
        uint256[] calldata pf,
        Run memory u,
        bool known0,
        uint256 c0
    ) private pure {
        Res memory o = u.o;
        uint256[] memory z = _composition(g, s, o.finals, 2 * s.nterms + s.claim[1] + u.c.length, known0, c0);
        _subRunning(z, s.claim, u.a, u.c, u.s0);
        ZkCp.recordZero(g, z, 0);
        bool okc;
        (o.st, okc) = ZkCp.absorbMessages(o.st, g, prm, chunks, ZkSumcheck.L_FINAL, pf[o.p:o.p + s.nf]);
        o.ok = o.ok && okc;
        o.p += s.nf;
    }

    // verify_with_eq (src/sumcheck/verifier.h) in zero-knowledge mode: factor 0 of every term is
    // eq(rho, x), evaluated by the verifier (c = eq(rho, r)); round i sends d - 1 values of q_i
    // (q_i(1) from the normalized claim e_i = (1 - rho_i) q_i(0) + rho_i q_i(1); when rho_i = 0 or
    // d = 1, q_i(1..d-1) and q_i(0) = e_i). The final check records factor 0's value - c = 0, then
    // the composition with factor 0 = c, minus c e_n, = 0.
    function verifyWithEq(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        Statement memory s,
        uint256[] memory rho,
        uint256[] calldata pf
    ) internal view returns (Res memory o) {
        if (rho.length != s.n) revert BadShape();
        (uint256 d, uint256[] memory coeffs) = _degree(s);
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_NUM_VARS, uint64(s.n));
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_DEGREE, uint64(d));
        st = ZkTranscript.absorbFrs(st, ZkSumcheck.L_COEFFS, coeffs);
        uint256[] memory w;
        if (d > 1) w = ZkSumcheck.lagrangeWeights(d - 1);
        uint256[] memory rinv = _inverses(rho);
        o.ok = true;
        o.point = new uint256[](s.n);
        uint256 s0 = g.ns;
        uint256 per = d - 1;
        uint256 a = 1;
        uint256 cEq = 1;
        uint256[] memory c = new uint256[](s.n * per);
        for (uint256 i = 0; i < s.n; ++i) {
            bool okc;
            (st, okc) = ZkCp.absorbMessages(st, g, prm, chunks, ZkSumcheck.L_ROUND, pf[o.p:o.p + per]);
            o.ok = o.ok && okc;
            o.p += per;
            uint256 r;
            (st, r) = ZkTranscript.challenge(st, ZkSumcheck.L_CHALLENGE);
            o.point[i] = r;
            uint256 ri = rho[i];
            if (d == 1) {
                // q constant: e' = e
            } else {
                uint256[] memory l = _lagrange(w, r);
                uint256 scale;
                uint256 b = i * per;
                if (ri == 0) {
                    // q(0) = e, q(t) = m_{t-1}
                    scale = l[0];
                    for (uint256 t = 1; t < d; ++t) c[b + t - 1] = l[t];
                } else {
                    // q(1) = (e - (1 - rho) q(0)) / rho
                    uint256 k1 = mulmod(l[1], rinv[i], R);
                    scale = k1;
                    c[b] = addmod(l[0], R - mulmod(k1, addmod(1, R - ri, R), R), R);
                    for (uint256 t = 2; t < d; ++t) c[b + t - 1] = l[t];
                }
                a = mulmod(a, scale, R);
                for (uint256 j = 0; j < b; ++j) c[j] = mulmod(c[j], scale, R);
            }
            cEq = mulmod(cEq, addmod(addmod(1, R - ri, R), addmod(R - r, mulmod(addmod(ri, ri, R), r, R), R), R), R);
        }
        // running = c e_n
        a = mulmod(a, cEq, R);
        for (uint256 j = 0; j < c.length; ++j) c[j] = mulmod(c[j], cEq, R);
        o.finals = s0 + s.n * per;
        {
            // factor 0's final value = c
            uint256[] memory e0 = new uint256[](4);
            e0[0] = cEq == 0 ? 0 : R - cEq;
            e0[1] = 1;
            e0[2] = o.finals;
            e0[3] = 1;
            ZkCp.recordZero(g, e0, 0);
        }
        uint256[] memory z = _composition(g, s, o.finals, 2 * s.nterms + s.claim[1] + s.n * per, true, cEq);
        _subRunning(z, s.claim, a, c, s0);
        ZkCp.recordZero(g, z, 0);
        bool okf;
        (st, okf) = ZkCp.absorbMessages(st, g, prm, chunks, ZkSumcheck.L_FINAL, pf[o.p:o.p + s.nf]);
        o.ok = o.ok && okf;
        o.p += s.nf;
        o.st = st;
    }

    // 1 / x for the non-zero x (0 stays 0), with one inversion.
    function _inverses(uint256[] memory xs) private view returns (uint256[] memory inv) {
        uint256 n = xs.length;
        inv = new uint256[](n);
        uint256 acc = 1;
        for (uint256 i = 0; i < n; ++i) {
            inv[i] = acc;
            if (xs[i] != 0) acc = mulmod(acc, xs[i], R);
        }
        uint256 t = ZkFr.inv(acc);
        for (uint256 i = n; i > 0; --i) {
            if (xs[i - 1] == 0) {
                inv[i - 1] = 0;
                continue;
            }
            inv[i - 1] = mulmod(inv[i - 1], t, R);
            t = mulmod(t, xs[i - 1], R);
        }
    }

    // The composition of the final values (slots f0 + j) as a flat form (with room for the running
    // claim's terms), recording its products.
    // known0: factor 0's value is the verifier's own (c0: eq(rho, r) in verifyWithEq): it folds into
    // the coefficients.
    function _composition(ZkCp.Log memory g, Statement memory s, uint256 f0, uint256 cap, bool known0, uint256 c0)
        private
        pure
        returns (uint256[] memory z)
    {
        uint256 nt = 0;
        z = new uint256[](2 + 2 * cap);
        // pairs: (coeff, a, b, done)
        uint256[] memory pairs = new uint256[](4 * s.nterms);
        uint256 np = 0;
        uint256[] memory x = new uint256[](4);
        uint256[] memory y = new uint256[](2 + 2 * s.nterms);
        x[1] = 1;
        uint256[] memory com = new uint256[](8);  // a term's hidden factors
        uint256 at = 0;
        for (uint256 t = 0; t < s.nterms; ++t) {
            uint256 coeff = s.terms[at];
            uint256 kk = s.terms[at + 1];
            if (kk > com.length) com = new uint256[](kk);
            uint256 k = 0;
            for (uint256 i = 0; i < kk; ++i) {
                uint256 f = s.terms[at + 2 + i];
                if (known0 && f == 0) coeff = mulmod(coeff, c0, R);
                else com[k++] = f;
            }
            if (k == 0) {
                z[0] = addmod(z[0], coeff, R);
            } else if (k == 1) {
                z[2 + 2 * nt] = f0 + com[0];
                z[3 + 2 * nt] = coeff;
                ++nt;
            } else if (k == 2) {
                pairs[4 * np] = coeff;
                pairs[4 * np + 1] = com[0];
                pairs[4 * np + 2] = com[1];
                ++np;
            } else {
                // prod = values[f_1] coeff, then prod *= values[f_i]
                x[2] = f0 + com[0];
                x[3] = coeff;
                y[0] = 0;
                y[1] = 1;
                uint256 atom;
                for (uint256 i = 1; i < k; ++i) {
                    y[2] = f0 + com[i];
                    y[3] = 1;
                    atom = ZkCp.recordProduct(g, x, 0, y, 0);
                    x[2] = atom;
                    x[3] = 1;
                }
                z[2 + 2 * nt] = atom;
                z[3 + 2 * nt] = 1;
                ++nt;
            }
            at += 2 + kk;
        }
        uint256[] memory count = new uint256[](s.nf);
        for (;;) {
            for (uint256 j = 0; j < s.nf; ++j) count[j] = 0;
            for (uint256 q = 0; q < np; ++q) {
                if (pairs[4 * q + 3] != 0) continue;
                ++count[pairs[4 * q + 1]];
                ++count[pairs[4 * q + 2]];
            }
            uint256 best = 0;
            for (uint256 j = 1; j < s.nf; ++j) if (count[j] > count[best]) best = j;
            if (count[best] == 0) break;
            // cofactor = sum values[other] coeff over the pairs with best
            uint256 m = 0;
            for (uint256 q = 0; q < np; ++q) {
                if (pairs[4 * q + 3] != 0) continue;
                uint256 pa = pairs[4 * q + 1];
                uint256 pb = pairs[4 * q + 2];
                if (pa != best && pb != best) continue;
                y[2 + 2 * m] = f0 + (pa == best ? pb : pa);
                y[3 + 2 * m] = pairs[4 * q];
                ++m;
                pairs[4 * q + 3] = 1;
            }
            y[0] = 0;
            y[1] = m;
            x[2] = f0 + best;
            x[3] = 1;
            z[2 + 2 * nt] = ZkCp.recordProduct(g, x, 0, y, 0);
            z[3 + 2 * nt] = 1;
            ++nt;
        }
        z[1] = nt;
    }

    // z -= a * claim + sum_j c_j x_{s0 + j}
    function _subRunning(uint256[] memory z, uint256[] memory claim, uint256 a, uint256[] memory c, uint256 s0)
        private
        pure
    {
        uint256 nt = z[1];
        z[0] = addmod(z[0], R - mulmod(a, claim[0], R), R);
        uint256 na = a == 0 ? 0 : R - a;
        for (uint256 i = 0; i < claim[1]; ++i) {
            z[2 + 2 * nt] = claim[2 + 2 * i];
            z[3 + 2 * nt] = mulmod(claim[3 + 2 * i], na, R);
            ++nt;
        }
        for (uint256 j = 0; j < c.length; ++j) {
            z[2 + 2 * nt] = s0 + j;
            z[3 + 2 * nt] = c[j] == 0 ? 0 : R - c[j];
            ++nt;
        }
        z[1] = nt;
    }
}
