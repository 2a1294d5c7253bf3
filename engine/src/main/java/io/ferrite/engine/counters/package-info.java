/**
 * Job counters in a memory-mapped file that another process reads live ({@code ferrite stat DIR}).
 */
package io.ferrite.engine.counters;
