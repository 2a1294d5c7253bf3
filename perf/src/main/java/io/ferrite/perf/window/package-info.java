/**
 * Window operator benchmarks: the cost per event of sliding windows by slicing, beside tumbling windows.
 */
package io.ferrite.perf.window;
