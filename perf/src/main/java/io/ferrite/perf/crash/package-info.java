/**
 * {@code ferrite crash}: the crash harness, which kills a job with SIGKILL at random moments and checks its committed
 * output against a plain-Java reference.
 */
package io.ferrite.perf.crash;
