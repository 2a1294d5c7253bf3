/**
 * Aggregate accumulators that live in caller-provided off-heap memory: flyweight layouts with no Java object per value.
 */
package io.ferrite.windowing.aggregate;
