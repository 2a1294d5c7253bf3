/**
 * The CSV codec: a record of a schema as a line of text, and a line parsed into a record with no allocation.
 */
package io.ferrite.memory.csv;
