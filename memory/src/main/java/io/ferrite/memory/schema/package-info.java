/**
 * Record schemas of fixed-width fields, and the typed field handles and flyweights that read and write records.
 */
package io.ferrite.memory.schema;
