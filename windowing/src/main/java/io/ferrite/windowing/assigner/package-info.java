/**
 * Window assigners: which time windows (and which slices of them) an event belongs to, aligned to the epoch.
 */
package io.ferrite.windowing.assigner;
