/**
 * NEXMark on Ferrite: a deterministic event generator in the model of Apache Beam's, the queries q0, q1, q2, q3, q5,
 * q7, q8 and q11 built with Ferrite's own API, a plain-Java reference for each, and the {@code scripts/ferrite
 * nexmark} command (gen, run, bench).
 */
package io.ferrite.perf.nexmark;
