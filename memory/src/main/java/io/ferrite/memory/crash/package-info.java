/**
 * Named crash points for the crash harness: a system property makes the process halt at the n-th hit of one of them.
 */
package io.ferrite.memory.crash;
