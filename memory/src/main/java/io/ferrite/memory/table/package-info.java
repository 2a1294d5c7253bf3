/**
 * Off-heap open-addressing hash tables for keyed state, with snapshot and restore.
 */
package io.ferrite.memory.table;
